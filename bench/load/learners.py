"""The mixed learner load: data, one bounded run, and the check of the database against what the client saw.

Used by ``python -m bench.load`` (bench database) and tests/reliability/test_load.py (the test database);
both call ``run``. What a run does:

1. ``prepare``: a catalog of ``courses`` published courses (``lessons`` article lessons and one quiz of
   ``questions`` single-choice questions each, built through the services), ``learners`` learners each
   enrolled in every course, and a personal token per learner created directly (never through the token
   endpoint and its strict throttle). It writes the plan the locust users read: tokens, enrollment ids,
   the steps of each course and the quiz answer keys.
2. ``gunicorn`` (bench/server.py) with the project's settings read from the environment like a
   deployment's (DEBUG=0; the user and anonymous throttle rates raised through THROTTLE_USER and
   THROTTLE_ANON; the strict throttle untouched), and one real Celery worker on a queue of the run's own.
3. locust (bench/load/locustfile.py) for a fixed ``duration`` with ``users`` virtual users on loopback,
   in a subprocess (locust patches the standard library for gevent); users finish the task in flight
   when time is up, then locust writes its statistics and the ledger of successful writes.
4. The server stops; the worker gets ``drain_timeout`` seconds to issue the certificates of the
   enrollments the load completed; then it stops.
5. ``verify``: effect by effect, the database against the ledger. A lesson completion that got 200 is
   a passed progress row whose ``attempts`` counts it once; a quiz start that got 201 is an attempt row;
   a submit that got 200 is a submitted attempt with the same pass/fail and one attempt on the quiz's
   progress row; an enrollment whose every step succeeded is completed, and has exactly one certificate
   (rendered by the worker); nothing else exists. *Rows lost*: successful writes whose row is missing
   (progress increments, attempts, submits, completions, certificates). *Rows unexplained*: rows or
   increments no successful response accounts for (a doubled write, or a write the client counted as
   failed that landed anyway). Consistency checks of rows already counted (seconds credited, answers
   graded, the quiz's progress row) and the client's books against locust's statistics only add
   problems. A run passes with no error, no row lost or unexplained and no problem.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from bench import data, server

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
ORG_SLUG = "load-org"
COURSE_PREFIX = "load-course-"
LEARNER_PREFIX = "load-learner"
TOKEN_NAME = "load"
KINDS = ("catalog", "course detail", "lesson complete", "quiz start", "quiz submit")
WRITES = ("lesson complete", "quiz start", "quiz submit")
LESSON_SECONDS = 60  # time_spent_seconds each lesson completion reports (the locustfile sends it)
LOOPBACK = "127.0.0.1"


@dataclass
class Config:
    database_url: str  # the database the server and worker use: the one this process is connected to
    broker_url: str  # redis://…
    cache_url: str  # rediscache://… or redis://… (throttle counters shared across server processes)
    var_dir: Path  # logs, plan, ledger, media and mail of this run
    duration: float = 30.0
    users: int = 20
    learners: int = 0  # 0: enough for the run (users x duration / 3, at least 2 per user)
    courses: int = 3
    lessons: int = 3
    questions: int = 3
    think: float = 0.2  # mean seconds between a user's tasks
    fail_every: int = 4  # every n-th learner fails each quiz once before passing it
    workers: int = 0  # gunicorn processes (0: bench/server.py's default for the machine)
    threads: int = 0
    drain_timeout: float = 120.0
    stop_timeout: float = 30.0  # locust: how long users may take to finish the task in flight

    def __post_init__(self) -> None:
        default_workers, default_threads = server.default_workers()
        self.workers = self.workers or default_workers
        self.threads = self.threads or default_threads
        self.learners = self.learners or max(2 * self.users, round(self.users * self.duration / 3))
        if min(self.users, self.courses, self.lessons, self.questions, self.fail_every) < 1:
            raise ValueError("users, courses, lessons, questions and fail_every must be at least 1")
        if self.duration <= 0 or self.learners < self.users:
            raise ValueError("duration must be positive and learners at least users")


@dataclass
class Prepared:
    plan: dict
    org_id: int
    course_ids: list[int]
    enrollment_ids: list[int]
    lesson_ids: set[int]
    quiz_activity_ids: set[int]
    steps_by_course: dict[int, list[int]]  # course id -> its activity ids in order
    course_of_enrollment: dict[int, int]


@dataclass
class Report:
    config: Config
    stats: dict  # locust's, per request kind and "all": requests, failures, p50, p99 (ms)
    ledger: dict
    elapsed: float
    server: str
    effects: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (by the client, in the database)
    rows_lost: int = 0
    rows_unexplained: int = 0
    problems: list[str] = field(default_factory=list)
    drained_in: float | None = None  # seconds after the load until every certificate was rendered
    phases: dict[str, float] = field(default_factory=dict)  # wall-clock seconds of each part of the run
    load_average: float = 0.0  # the machine's 1-minute load average when the run began

    @property
    def requests(self) -> int:
        return sum(self.ledger["sent"].values())

    @property
    def errors(self) -> int:
        return sum(self.ledger["errors"].values())

    def ok(self, kind: str) -> int:
        return self.ledger["ok"].get(kind, 0)

    @property
    def passed(self) -> bool:
        return not (self.errors or self.rows_lost or self.rows_unexplained or self.problems)

    def table(self) -> str:
        header = ["request", "requests", "errors", "req/s", "p50 ms", "p99 ms"]
        lines = []
        for kind in (*KINDS, "all"):
            entry = self.stats.get(kind, {})
            sent = self.requests if kind == "all" else self.ledger["sent"].get(kind, 0)
            errors = self.errors if kind == "all" else self.ledger["errors"].get(kind, 0)
            lines.append([kind, f"{sent:,}", f"{errors:,}", f"{sent / self.elapsed if self.elapsed else 0:,.1f}",
                          _ms(entry.get("p50")), _ms(entry.get("p99"))])
        widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]

        def fmt(cells: list[str]) -> str:
            return "| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                     for i, (c, w) in enumerate(zip(cells, widths, strict=True))) + " |"

        rule = "|" + "|".join("-" * (w + 1) + ":" if i else ":" + "-" * (w + 1) for i, w in enumerate(widths)) + "|"
        return "\n".join([fmt(header), rule, *(fmt(line) for line in lines)])

    def summary(self) -> list[str]:
        effects = "; ".join(f"{name} {client:,} = {db:,}" if client == db else f"{name} {client:,} ≠ {db:,} in the DB"
                            for name, (client, db) in self.effects.items())
        lines = [
            f"requests sent {self.requests:,}, errors {self.errors}, rows lost {self.rows_lost}, "
            f"rows unexplained {self.rows_unexplained}",
            f"writes checked (client's successful writes = database rows): {effects}",
            f"learners used {self.ledger['learners_taken']} of {self.config.learners}"
            + (" (pool exhausted: some users only browsed at the end)" if self.ledger["pool_exhausted"] else ""),
        ]
        if self.drained_in is not None:
            lines.append(f"worker drained {self.drained_in:.1f} s after the load: every completed enrollment has "
                         "exactly one rendered certificate")
        lines.append("phases: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.phases.items()))
        lines.extend(f"PROBLEM: {p}" for p in self.problems)
        lines.extend(f"error sample: {s}" for s in self.ledger["error_samples"][:5])
        return lines


def _ms(value) -> str:
    return "-" if value is None else f"{value:,.0f}"


# --- data -------------------------------------------------------------------------------------------

def _drop_previous(org) -> None:
    """Remove the previous run's load courses and everything learners did in them."""
    from assessments.quizzes.models import AttemptAnswer
    from courses.catalog.models import Course
    from courses.certificates.models import Certificate

    courses = Course.objects.filter(slug__startswith=COURSE_PREFIX)
    if not courses.exists():
        return
    with transaction.atomic():
        Certificate.objects.filter(enrollment__course__in=courses).delete()
        AttemptAnswer.objects.filter(attempt__quiz__activity__course__in=courses).delete()
        courses.delete()


def _course(org, n: int, config: Config):
    from assessments.quizzes.services import authoring as assessment_services
    from courses.catalog import services
    from courses.catalog.models import Activity

    course = services.course_create(slug=f"{COURSE_PREFIX}{n}", title=f"Load {n + 1}: listening under pressure",
                                    organization=org, description="A course learners take during the load test.",
                                    hours_credited=1)
    module = services.module_create(course=course, title="Module 1")
    for lesson in range(config.lessons):
        services.activity_create(module=module, title=f"Lesson {lesson + 1}",
                                 lesson={"content_type": "article",
                                         "body": "Hear the customer out before you answer. " * 30})
    quiz = assessment_services.quiz_activity_create(module=module, title="Check", passing_score=80, max_attempts=5,
                                                    shuffle_questions=True, shuffle_choices=True)
    key = {}
    for q in range(config.questions):
        question = assessment_services.question_create(
            quiz=quiz, kind="single_choice", prompt=f"What comes first in situation {q + 1}?",
            choices=[{"text": "Acknowledge the feeling", "correct": True},
                     {"text": "Quote the policy", "correct": False},
                     {"text": "Transfer the call", "correct": False}],
        )
        choices = list(question.choices.all())
        key[str(question.pk)] = {"right": [c.pk for c in choices if c.is_correct],
                                 "wrong": [c.pk for c in choices if not c.is_correct]}
    services.course_publish(course=course)
    activities = list(Activity.objects.filter(course=course).order_by("module__position", "position", "id"))
    steps = [{"activity": a.pk, "kind": "quiz", "key": key} if a.kind == Activity.Kind.QUIZ
             else {"activity": a.pk, "kind": "lesson"} for a in activities]
    return course, steps


def prepare(config: Config) -> Prepared:
    """Courses, learners, tokens and enrollments for one run (the previous run's load courses are dropped)."""
    from courses.enrollments.models import Enrollment

    org = data.organization(slug=ORG_SLUG, name="Load Org")
    _drop_previous(org)
    courses, plan_courses = [], []
    with transaction.atomic():
        for n in range(config.courses):
            course, steps = _course(org, n, config)
            courses.append(course)
            plan_courses.append({"slug": course.slug, "steps": steps})
    learners = data.people(org, config.learners, prefix=LEARNER_PREFIX, roles=("learner",))
    raw_tokens = data.tokens(learners, name=TOKEN_NAME)
    now = timezone.now()
    rows = data.bulk(Enrollment, [
        Enrollment(user=user, course=course, organization=org, status=Enrollment.Status.ACTIVE, enrolled_at=now)
        for user in learners for course in courses
    ], "enrollments (load)")
    per_learner = [[row.pk for row in rows[i * len(courses):(i + 1) * len(courses)]] for i in range(len(learners))]
    plan = {
        "think_seconds": config.think,
        "lesson_seconds": LESSON_SECONDS,
        "courses": plan_courses,
        "learners": [{"token": raw, "enrollments": per_learner[i], "fails_first_quiz": i % config.fail_every == 0}
                     for i, raw in enumerate(raw_tokens)],
    }
    steps_by_course = {c.pk: [s["activity"] for s in pc["steps"]] for c, pc in zip(courses, plan_courses, strict=True)}
    return Prepared(
        plan=plan, org_id=org.pk, course_ids=[c.pk for c in courses], enrollment_ids=[r.pk for r in rows],
        lesson_ids={s["activity"] for pc in plan_courses for s in pc["steps"] if s["kind"] == "lesson"},
        quiz_activity_ids={s["activity"] for pc in plan_courses for s in pc["steps"] if s["kind"] == "quiz"},
        steps_by_course=steps_by_course, course_of_enrollment={r.pk: r.course_id for r in rows},
    )


# --- processes --------------------------------------------------------------------------------------

def process_env(config: Config, queue: str, keys_dir: Path) -> dict[str, str]:
    """The server's and worker's environment: the project's settings configured as a deployment would."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.load.settings",
        "LOAD_QUEUE": queue,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback; no proxy sets X-Forwarded-Proto
        "DATABASE_URL": config.database_url,
        "CELERY_BROKER_URL": config.broker_url,
        "CACHE_URL": config.cache_url,
        # Every throttle but the strict one (sign-in, token creation), which the load never meets.
        "THROTTLE_USER": "1000000/min",
        "THROTTLE_ANON": "1000000/min",
        "THROTTLE_API_KEY": "1000000/min",
        "THROTTLE_REPORTS": "1000000/min",
        "VAR_DIR": str(config.var_dir),
        "MEDIA_ROOT": str(config.var_dir / "media"),
        "CREDENTIAL_KEYS_DIR": str(keys_dir),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def run_locust(config: Config, port: int, plan: dict) -> dict:
    """locust, headless, for ``config.duration`` seconds against 127.0.0.1:``port``; returns its ledger."""
    plan_path, ledger_path = config.var_dir / "load-plan.json", config.var_dir / "load-ledger.json"
    plan_path.write_text(json.dumps(plan))
    ledger_path.unlink(missing_ok=True)
    log_path = config.var_dir / "locust.log"
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", f"http://{LOOPBACK}:{port}",
        "--users", str(config.users), "--spawn-rate", str(config.users),
        "--run-time", f"{max(1, round(config.duration))}s", "--stop-timeout", f"{config.stop_timeout:g}",
        "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]
    env = {**os.environ, "LOAD_PLAN": str(plan_path), "LOAD_LEDGER": str(ledger_path)}
    with log_path.open("wb") as log:
        # cwd: the run's own folder, so no locust.conf or [tool.locust] of the repository is read
        finished = subprocess.run(command, cwd=config.var_dir, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                  stderr=subprocess.STDOUT, timeout=config.duration + config.stop_timeout + 60,
                                  check=False)
    if finished.returncode != 0 or not ledger_path.exists():
        raise RuntimeError(f"locust exited with {finished.returncode}; see {log_path}:\n"
                           f"{log_path.read_text(errors='replace')[-3000:]}")
    return json.loads(ledger_path.read_text())


def queue_length(broker_url: str, queue: str) -> int:
    from kombu import Connection

    with Connection(broker_url) as conn:
        return conn.default_channel.queue_declare(queue=queue).message_count


def delete_queue(broker_url: str, queue: str) -> None:
    """Purge and delete the run's queue (and the direct exchange Celery declared for it)."""
    from kombu import Connection, Exchange, Queue

    with Connection(broker_url) as conn:
        bound = Queue(queue, Exchange(queue, type="direct"), routing_key=queue).bind(conn.default_channel)
        bound.declare()
        bound.purge()
        bound.delete()


def drain(prepared: Prepared, config: Config, queue: str, worker) -> float | None:
    """Wait (at most ``drain_timeout``) until every completed load enrollment has a rendered certificate and
    the queue is empty; the seconds it took, or None."""
    from courses.certificates.models import Certificate
    from courses.enrollments.models import Enrollment

    started = time.monotonic()
    completed = Enrollment.objects.filter(pk__in=prepared.enrollment_ids, status=Enrollment.Status.COMPLETED)
    rendered = Certificate.objects.filter(enrollment__in=completed, rendered_at__isnull=False)
    while time.monotonic() - started < config.drain_timeout:
        if worker.process.poll() is not None:
            raise RuntimeError(f"the worker exited; see {worker.log_path}")
        if rendered.count() >= completed.count() and queue_length(config.broker_url, queue) == 0:
            return time.monotonic() - started
        time.sleep(0.25)
    return None


# --- the check --------------------------------------------------------------------------------------

def verify(prepared: Prepared, report: Report) -> None:
    """Compare the database with the ledger, effect by effect; fills ``report``'s effects, rows and problems."""
    from assessments.quizzes.models import Attempt, AttemptAnswer
    from courses.certificates.models import Certificate
    from courses.enrollments.models import ActivityProgress, Enrollment

    ledger = report.ledger
    config_questions = report.config.questions
    lost = unexplained = 0

    def compare(name: str, client: set | Counter, database: set | Counter, *, rows: bool = True) -> None:
        """``rows``: a difference is rows lost or unexplained; otherwise (a consistency check of rows already
        counted) only a problem."""
        nonlocal lost, unexplained
        if isinstance(client, Counter):
            missing, extra = sum((client - database).values()), sum((database - client).values())
            report.effects[name] = (sum(client.values()), sum(database.values()))
        else:
            missing, extra = len(client - database), len(database - client)
            report.effects[name] = (len(client), len(database))
        if rows:
            lost, unexplained = lost + missing, unexplained + extra
        if client != database:
            report.problems.append(f"{name}: the client's successful writes and the database differ")

    ids = prepared.enrollment_ids
    progress = list(ActivityProgress.objects.filter(enrollment_id__in=ids)
                    .values_list("enrollment_id", "activity_id", "status", "attempts", "time_spent_seconds"))

    # Lesson completions: one passed row per (enrollment, lesson), its attempts = the 200s it got.
    completions = Counter(tuple(pair) for pair in ledger["completed"])
    lesson_rows = Counter({(e, a): n for e, a, status, n, _s in progress
                           if a in prepared.lesson_ids and status == ActivityProgress.Status.PASSED})
    compare("lesson completions", completions, lesson_rows)
    # ... and the time each reported is credited once: a total, as a reporting query would sum it.
    compare("lesson seconds credited", Counter({"seconds": LESSON_SECONDS * sum(completions.values())}),
            Counter({"seconds": sum(s for _e, a, _st, _n, s in progress if a in prepared.lesson_ids)}), rows=False)
    stray = [row[:3] for row in progress if row[1] in prepared.lesson_ids and row[2] != ActivityProgress.Status.PASSED]
    if stray:
        unexplained += len(stray)
        report.problems.append(f"{len(stray)} lesson progress rows that are not passed: {stray[:3]}")

    # Quiz attempts: created by a 201 start, submitted by a 200 submit with the same outcome.
    attempts = list(Attempt.objects.filter(enrollment_id__in=ids)
                    .values_list("pk", "status", "passed", "enrollment_id", "quiz__activity_id"))
    compare("quiz attempts started", set(ledger["started"]), {pk for pk, *_ in attempts})
    compare("quiz attempts submitted", {(pk, passed) for pk, _e, _a, passed in ledger["submitted"]},
            {(pk, passed) for pk, status, passed, _e, _a in attempts if status == Attempt.Status.SUBMITTED})
    # Each submitted attempt graded every question it showed, once.
    submitted_ids = [pk for pk, _e, _a, _passed in ledger["submitted"]]
    compare("quiz answers recorded", Counter({pk: config_questions for pk in submitted_ids}),
            Counter(AttemptAnswer.objects.filter(attempt__enrollment_id__in=ids)
                    .values_list("attempt_id", flat=True)), rows=False)
    resumed_unknown = set(ledger["resumed"]) - {pk for pk, *_ in attempts}
    if resumed_unknown:
        report.problems.append(f"starts resumed attempts the database does not have: {sorted(resumed_unknown)[:5]}")

    # The quiz's progress row counts each submitted attempt once, and is passed once one passed.
    submits = Counter((e, a) for _pk, e, a, _passed in ledger["submitted"])
    quiz_rows = Counter({(e, a): n for e, a, _status, n, _s in progress if a in prepared.quiz_activity_ids})
    compare("quiz results recorded", submits, quiz_rows, rows=False)
    passed_quizzes = {(e, a) for _pk, e, a, passed in ledger["submitted"] if passed}
    quiz_passed_rows = {(e, a) for e, a, status, _n, _s in progress
                        if a in prepared.quiz_activity_ids and status == ActivityProgress.Status.PASSED}
    if passed_quizzes != quiz_passed_rows:
        report.problems.append("quiz progress rows passed do not match the passing submits")

    # Enrollments: completed exactly when the client saw every step succeed; one certificate each.
    done = set(completions) | passed_quizzes
    steps = prepared.steps_by_course
    expected = {e for e in ids if all((e, a) in done for a in steps[prepared.course_of_enrollment[e]])}
    completed = set(Enrollment.objects.filter(pk__in=ids, status=Enrollment.Status.COMPLETED)
                    .values_list("pk", flat=True))
    compare("enrollments completed", expected, completed)
    certificates = Counter(Certificate.objects.filter(enrollment_id__in=ids).values_list("enrollment_id", flat=True))
    compare("certificates", Counter(dict.fromkeys(completed, 1)), certificates)
    unrendered = Certificate.objects.filter(enrollment_id__in=ids, rendered_at__isnull=True).count()
    if unrendered:
        report.problems.append(f"{unrendered} certificates not rendered")

    # Every request was answered (none cut off by the stop) and no task raised.
    unanswered, exceptions = ledger["unanswered"], ledger["exceptions"]
    if unanswered:
        report.problems.append(f"{len(unanswered)} requests sent but never answered: {unanswered[:3]}")
    if exceptions:
        report.problems.append(f"{len(exceptions)} exceptions in the locust users: {exceptions[:3]}")

    # The client's own books agree with locust's statistics.
    for kind in KINDS:
        entry = report.stats.get(kind, {"requests": 0, "failures": 0})
        books = (ledger["sent"].get(kind, 0), ledger["errors"].get(kind, 0))
        if (entry["requests"], entry["failures"]) != books:
            report.problems.append(f"{kind}: locust counted {entry['requests']} requests, {entry['failures']} "
                                   f"failures; the ledger {books[0]}, {books[1]}")
    effects = {"lesson complete": sum(completions.values()),
               "quiz start": len(ledger["started"]) + len(ledger["resumed"]), "quiz submit": len(ledger["submitted"])}
    for kind, count in effects.items():
        if count != report.ok(kind):
            report.problems.append(f"{kind}: {report.ok(kind)} successes but {count} recorded effects")
    report.rows_lost, report.rows_unexplained = lost, unexplained


# --- one run ----------------------------------------------------------------------------------------

def run(config: Config) -> Report:
    """Prepare, serve, load, drain, verify (see the module docstring). Bounded: every wait has a limit."""
    from django.conf import settings
    from django.db import connection

    from bench.certificates import Worker
    from courses.certificates import open_badges as certificate_credentials
    from courses.certificates.credentials import keys

    phases: dict[str, float] = {}
    clock = time.monotonic()
    load_average = os.getloadavg()[0]

    def phase(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        phases[name] = now - clock
        clock = now

    config.var_dir.mkdir(parents=True, exist_ok=True)
    if not certificate_credentials.signing_enabled():
        keys.key_generate()
    print(f"preparing {config.courses} courses and {config.learners} learners", flush=True)
    prepared = prepare(config)
    connection.close()  # the server and worker take over; this process only reads afterwards
    phase("prepare")

    queue = f"load-{uuid.uuid4().hex[:10]}"
    env = process_env(config, queue, Path(settings.CREDENTIAL_KEYS_DIR))
    srv = server.Server(workers=config.workers, threads=config.threads, env=env,
                        ready_path="/api/v1/enrollments/", log_dir=config.var_dir)
    worker = Worker(0, config.var_dir, queue=queue, name="load", env={**os.environ, **env, "LOG_LEVEL": "INFO"})
    try:
        with srv:  # gunicorn boots while the worker does
            deadline = time.monotonic() + 60
            while " ready." not in worker.log_path.read_text(errors="replace"):
                if worker.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the worker did not start; see {worker.log_path}")
                time.sleep(0.2)
            phase("server and worker start")
            print(f"load: {config.users} users for {config.duration:g} s against {srv.describe} on "
                  f"{LOOPBACK}:{srv.port}", flush=True)
            ledger = run_locust(config, srv.port, prepared.plan)
            phase("locust")
            srv.process.terminate()  # graceful; it winds down while the worker drains
            report = Report(config=config, stats=ledger.pop("stats"), ledger=ledger,
                            elapsed=ledger["elapsed"] or config.duration, server=srv.describe)
            report.drained_in = drain(prepared, config, queue, worker)
            phase("drain")
            if report.drained_in is None:
                report.problems.append(f"the worker did not issue every certificate within "
                                       f"{config.drain_timeout:g} s")
        phase("server stop")
    finally:
        worker.stop()
        delete_queue(config.broker_url, queue)
    phase("worker stop")
    failures = [line for line in worker.log_path.read_text(errors="replace").splitlines()
                if "Traceback" in line or " ERROR" in line or "CRITICAL" in line or "raised unexpected" in line]
    if failures:
        report.problems.append(f"{len(failures)} error lines in {worker.log_path}: {failures[:3]}")
    report.load_average = load_average
    verify(prepared, report)
    phase("verify")
    report.phases = phases
    return report
