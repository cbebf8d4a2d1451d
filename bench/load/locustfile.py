"""The learners of ``python -m bench.load``, as locust users (locust runs this file in its own process).

Locust patches the standard library for gevent on import, so nothing here imports Django or the
project: what a learner needs comes from the plan file (``LOAD_PLAN``) that bench/load/learners.py
wrote, and what happened goes to the ledger file (``LOAD_LEDGER``), written when locust quits.

Each virtual user is one prepared learner at a time (a distinct token, enrolled in every load course)
and walks its courses in order: each *progress* task does the next step (complete a lesson; or start
the quiz and submit it), between catalog and course-detail reads. A step whose request failed is
tried again by the next progress task, so a retry repeats an idempotent request rather than skipping
ahead. A learner marked ``fails_first_quiz`` answers a course's quiz wrongly once, then retakes it.
When a learner has finished every course the user takes the next learner from the pool; an emptied
pool leaves it browsing with its last learner's token (reported as ``pool_exhausted``).

The ledger records every successful write with the effect it claims (the (enrollment, activity) a
lesson completion passed, the attempt a start created or resumed, the attempt a submit graded), so
the database can be checked against it effect by effect, not just in totals.
"""
from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from pathlib import Path

from locust import FastHttpUser, between, events, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
LEDGER_PATH = Path(os.environ["LOAD_LEDGER"])
THINK = float(PLAN["think_seconds"])
KINDS = ("catalog", "course detail", "lesson complete", "quiz start", "quiz submit")


class Ledger:
    def __init__(self) -> None:
        self.sent: Counter = Counter()
        self.ok: Counter = Counter()
        self.errors: Counter = Counter()
        self.error_samples: list[str] = []
        self.exceptions: list[str] = []  # exceptions raised in a task (a bug here, never the server's doing)
        self.in_flight: dict[int, str] = {}  # requests sent and not yet answered, by user
        self.completed: list[list[int]] = []  # [enrollment, activity] per successful lesson completion
        self.started: list[int] = []  # attempts a start created (201)
        self.resumed: list[int] = []  # attempts a start resumed (200)
        self.submitted: list[list] = []  # [attempt, enrollment, activity, passed] per successful submit
        self.learners_taken = 0
        self.pool_exhausted = False
        self.first_sent: float | None = None
        self.last_answered: float | None = None

    def as_dict(self) -> dict:
        return {
            "sent": dict(self.sent), "ok": dict(self.ok), "errors": dict(self.errors),
            "error_samples": self.error_samples, "exceptions": self.exceptions,
            "unanswered": sorted(self.in_flight.values()), "completed": self.completed, "started": self.started,
            "resumed": self.resumed, "submitted": self.submitted, "learners_taken": self.learners_taken,
            "pool_exhausted": self.pool_exhausted,
            "elapsed": (self.last_answered - self.first_sent) if self.first_sent and self.last_answered else 0.0,
        }


LEDGER = Ledger()
_pool = iter(PLAN["learners"])  # users run as greenlets of one thread: next() needs no lock
# Set when locust starts stopping, before it stops any user. A user busy in a task finishes it (the
# stop timeout), but locust kills a user that was waiting asynchronously, so one whose wait ends just
# then could start a request and be killed in the middle of it, unanswered and unrecorded. Tasks
# that begin after this point do nothing.
_stopping = False


@events.test_stopping.add_listener
def _stop_starting_tasks(**_kwargs) -> None:
    global _stopping
    _stopping = True


def _content_type(response) -> str:
    headers = response.headers or {}
    return headers.get("Content-Type") or headers.get("content-type") or ""


class Learner(FastHttpUser):
    wait_time = between(0, 2 * THINK)  # THINK seconds on average between tasks
    network_timeout = 60.0
    connection_timeout = 10.0
    headers: dict[str, str] = {}
    me: dict | None = None

    def on_start(self) -> None:
        self.next_learner()

    def next_learner(self) -> None:
        learner = next(_pool, None)
        if learner is None:
            LEDGER.pool_exhausted = True
            self.me = None  # keeps browsing with the last learner's token
            return
        LEDGER.learners_taken += 1
        self.me = learner
        self.headers = {"Authorization": f"Token {learner['token']}", "Accept": "application/json"}
        self.course_index, self.step_index = 0, 0
        self.failed_once: set[int] = set()

    def call(self, kind: str, method: str, path: str, *, expect: frozenset[int], payload=None,
             check=None) -> tuple[dict, int] | None:
        """One request; a success is an expected status with a JSON body that passes ``check``."""
        LEDGER.sent[kind] += 1
        LEDGER.first_sent = LEDGER.first_sent or time.time()
        LEDGER.in_flight[id(self)] = f"{method} {path}"
        with self.client.request(method, path, name=kind, json=payload, headers=self.headers,
                                 catch_response=True) as response:
            LEDGER.in_flight.pop(id(self), None)
            LEDGER.last_answered = time.time()
            problem, body = "", None
            if response.status_code not in expect:
                problem = f"status {response.status_code}: {(response.text or '')[:300]}"
            elif "json" not in _content_type(response):
                problem = f"status {response.status_code} with Content-Type {_content_type(response)!r}"
            else:
                try:
                    body = response.json()
                except ValueError:
                    problem = "a body that is not JSON"
                else:
                    try:
                        as_expected = check is None or check(body)
                    except (KeyError, TypeError, IndexError):
                        as_expected = False
                    if not as_expected:
                        problem = f"an unexpected body: {json.dumps(body)[:300]}"
            if problem:
                response.failure(problem)
                LEDGER.errors[kind] += 1
                if len(LEDGER.error_samples) < 20:
                    LEDGER.error_samples.append(f"{method} {path} -> {problem}")
                return None
            response.success()
            LEDGER.ok[kind] += 1
            return body, response.status_code

    # --- reads -------------------------------------------------------------------------------

    @task(3)
    def catalog(self) -> None:
        if _stopping:
            return
        self.call("catalog", "GET", "/api/v1/courses/", expect=frozenset({200}),
                  check=lambda body: body.get("count", 0) >= len(PLAN["courses"]))

    @task(2)
    def course_detail(self) -> None:
        if _stopping:
            return
        slug = random.choice(PLAN["courses"])["slug"]
        self.call("course detail", "GET", f"/api/v1/courses/{slug}/", expect=frozenset({200}),
                  check=lambda body: body.get("slug") == slug)

    # --- writes ------------------------------------------------------------------------------

    @task(5)
    def progress(self) -> None:
        if _stopping:
            return
        if self.me is None:
            self.catalog()
            return
        course = PLAN["courses"][self.course_index]
        step = course["steps"][self.step_index]
        enrollment = self.me["enrollments"][self.course_index]
        done = (self.complete_lesson(enrollment, step["activity"]) if step["kind"] == "lesson"
                else self.take_quiz(enrollment, step))
        if not done:
            return
        self.step_index += 1
        if self.step_index == len(course["steps"]):
            self.course_index, self.step_index = self.course_index + 1, 0
            if self.course_index == len(PLAN["courses"]):
                self.next_learner()

    def complete_lesson(self, enrollment: int, activity: int) -> bool:
        answer = self.call(
            "lesson complete", "POST", f"/api/v1/enrollments/{enrollment}/activities/{activity}/complete/",
            expect=frozenset({200}), payload={"time_spent_seconds": PLAN["lesson_seconds"]},
            check=lambda body: body["activity"]["status"] == "passed" and body["activity"]["activity_id"] == activity,
        )
        if answer is None:
            return False
        LEDGER.completed.append([enrollment, activity])
        return True

    def take_quiz(self, enrollment: int, step: dict) -> bool:
        activity, key = step["activity"], step["key"]
        answer = self.call("quiz start", "POST", f"/api/v1/activities/{activity}/quiz/attempts/",
                           expect=frozenset({200, 201}),
                           check=lambda body: body["status"] == "in_progress" and body["questions"])
        if answer is None:
            return False
        attempt, status = answer
        (LEDGER.started if status == 201 else LEDGER.resumed).append(attempt["id"])
        fail = self.me["fails_first_quiz"] and activity not in self.failed_once
        answers = []
        for question in attempt["questions"]:
            choices = key[str(question["id"])]
            answers.append({"question": question["id"], "choices": choices["wrong"][:1] if fail else choices["right"]})
        answer = self.call("quiz submit", "POST", f"/api/v1/quiz-attempts/{attempt['id']}/submit/",
                           expect=frozenset({200}), payload={"answers": answers},
                           check=lambda body: body["status"] == "submitted" and body["passed"] is (not fail))
        if answer is None:
            return False
        LEDGER.submitted.append([attempt["id"], enrollment, activity, not fail])
        if fail:
            self.failed_once.add(activity)
            return False  # the next progress task retakes the quiz
        return True


@events.user_error.add_listener
def _note_exception(user_instance, exception, tb, **_kwargs) -> None:
    LEDGER.exceptions.append(f"{type(exception).__name__}: {exception}")


@events.quitting.add_listener
def _write_ledger(environment, **_kwargs) -> None:
    """Users have stopped (each finished its task in flight, within --stop-timeout): the ledger is final."""
    stats = {}
    for (name, _method), entry in environment.stats.entries.items():
        stats[name] = {
            "requests": entry.num_requests, "failures": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.50) if entry.num_requests else None,
            "p99": entry.get_response_time_percentile(0.99) if entry.num_requests else None,
            "avg": entry.avg_response_time, "max": entry.max_response_time,
        }
    total = environment.stats.total
    stats["all"] = {
        "requests": total.num_requests, "failures": total.num_failures,
        "p50": total.get_response_time_percentile(0.50) if total.num_requests else None,
        "p99": total.get_response_time_percentile(0.99) if total.num_requests else None,
        "avg": total.avg_response_time, "max": total.max_response_time,
    }
    LEDGER_PATH.write_text(json.dumps({**LEDGER.as_dict(), "stats": stats, "kinds": KINDS}))
