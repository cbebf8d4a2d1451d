"""The quiz response report at /teach/quizzes/<activity_id>/report/: per question, how the learners answered, how
hard it was and how well it told stronger learners from weaker ones (``assessments.quizzes.item_analysis``), for
the course's managers (404 outside their courses, 403 for an enrolled learner)."""
from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from assessments.quizzes import selectors
from courses.teaching.pages import teach_page


def flag_labels() -> dict[str, str]:
    return {
        "too_easy": pgettext("teach", "Too easy: more than 90% answer it right"),
        "too_hard": pgettext("teach", "Too hard: fewer than 20% answer it right"),
        "low_discrimination": pgettext("teach", "Weak discrimination: under 0.2"),
        "negative_discrimination": pgettext("teach", "Negative discrimination: weaker learners do better"),
        "unchosen_distractor": pgettext("teach", "A wrong choice nobody picked"),
        "distractor_beats_key": pgettext("teach", "The top group picked a wrong choice more than the right one"),
    }


@teach_page
@require_GET
def quiz_report_page(request, activity_id: int):
    quiz = selectors.access_quiz_manage(actor=request.user, activity_id=activity_id)
    report = selectors.quiz_report(quiz=quiz)
    labels = flag_labels()
    for row in report["questions"]:
        row["flag_labels"] = [labels[flag] for flag in row["flags"]]
    return render(request, "assessments/teach/quiz_report.html", {
        "nav": "teach", "teach_nav": "courses", "quiz": quiz, "course": quiz.activity.course, "report": report,
    })
