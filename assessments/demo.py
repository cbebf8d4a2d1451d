"""Demo quizzes: one required quiz at the end of each module of the empathy course, in English and
Brazilian Portuguese (loaded after the demo courses). Idempotent.

Demo learners who have finished every lesson of a course then pass its quizzes through the same
attempt services a learner's browser uses, so their enrollment stays completed.
"""
from __future__ import annotations

from typing import Any

from django.db import transaction

from assessments import (
    demo_roleplays,  # noqa: F401  (registers the role-play demo loader)
    services,
)
from assessments.demo_attempts import pass_quizzes
from assessments.models import Quiz
from courses import services as course_services
from courses.demo_content import EMPATHY_SLUG_EN, EMPATHY_SLUG_PT
from courses.models import Activity, ActivityProgress, Course, Enrollment
from lms.demo import demo_loader


def _single(prompt: str, right: str, wrong: list[str], feedback: str) -> dict[str, Any]:
    return {"kind": "single_choice", "prompt": prompt, "feedback": feedback,
            "choices": [{"text": right, "correct": True}, *({"text": w, "correct": False} for w in wrong)]}


def _multiple(prompt: str, right: list[str], wrong: list[str], feedback: str) -> dict[str, Any]:
    return {"kind": "multiple_choice", "prompt": prompt, "feedback": feedback, "points": 2,
            "choices": [*({"text": r, "correct": True} for r in right),
                        *({"text": w, "correct": False} for w in wrong)]}


def _true_false(prompt: str, answer: bool, labels: tuple[str, str], feedback: str) -> dict[str, Any]:
    return {"kind": "true_false", "prompt": prompt, "feedback": feedback,
            "choices": [{"text": labels[0], "correct": answer}, {"text": labels[1], "correct": not answer}]}


def _short(prompt: str, accepted: list[str], feedback: str) -> dict[str, Any]:
    return {"kind": "short_text", "prompt": prompt, "feedback": feedback, "accepted_answers": accepted}


EN_TF = ("True", "False")
PT_TF = ("Verdadeiro", "Falso")

# Per module, in module order: (title, quiz settings, questions).
QUIZZES: dict[str, list[tuple[str, dict[str, Any], list[dict[str, Any]]]]] = {
    EMPATHY_SLUG_EN: [
        ("Check: understanding empathy", {"max_attempts": 3, "shuffle_choices": True}, [
            _single("A customer writes: \"Third time I'm asking about this refund.\" Which reply shows empathy?",
                    "\"Having to ask three times is exhausting. I'm checking the refund myself right now.\"",
                    ["\"We apologise for any inconvenience caused.\"",
                     "\"Please allow 5 to 7 business days for refunds.\""],
                    "Empathy names the situation the customer is in and moves the problem forward."),
            _true_false("Being empathetic means agreeing with everything the customer says.", False, EN_TF,
                        "You can understand a feeling without agreeing with every claim."),
            _multiple("Which of these are cues that a customer is losing patience?",
                      ["Words like \"again\" or \"still\"", "Very short replies after long ones",
                       "Several question marks in a row"],
                      ["A thank-you at the end of the message"],
                      "Repetition words, sudden brevity and punctuation often signal growing frustration."),
            _short("Sympathy says \"sorry to hear that\". What is the name of the skill that steps next to the "
                   "customer to understand them?", ["empathy", "empathetic listening"],
                   "Empathy: understanding what the customer goes through and letting it shape your reply."),
        ]),
        ("Check: why empathy pays off", {"max_attempts": 3, "shuffle_questions": True,
                                         "reveal_answers": Quiz.Reveal.AFTER_PASSING_OR_LAST}, [
            _single("After a late delivery handled with real care, what often happens to the customer's trust?",
                    "It can end up stronger than if nothing had gone wrong",
                    ["It always drops for good", "It does not change at all"],
                    "A problem handled well is proof that the company can be relied on."),
            _multiple("Which returns can a team expect when customers feel understood?",
                      ["More loyal customers", "Calmer escalations", "Better team morale"],
                      ["Longer calls every time"],
                      "Loyalty, calmer conversations and morale are the usual returns; calls do not need to grow."),
            _true_false("An angry customer calms down faster when the agent first acknowledges the frustration "
                        "before explaining the policy.", True, EN_TF,
                        "Feeling heard lowers the temperature; the explanation lands better afterwards."),
            _short("One word: what do customers often share online after a good or bad service experience?",
                   ["reviews", "review", "opinions"],
                   "Reviews travel far: empathy protects the company's reputation."),
        ]),
        ("Check: cultivating empathy in your team", {"max_attempts": None, "questions_per_attempt": 4,
                                                     "time_limit_seconds": 600, "shuffle_questions": True,
                                                     "shuffle_choices": True}, [
            _single("What is the core of active listening?",
                    "Letting the customer finish and reflecting back what you understood",
                    ["Preparing your answer while the customer talks", "Reading the script faster"],
                    "Listening to understand, not to reply, then checking that you understood."),
            _multiple("Which practices grow empathy in a support team?",
                      ["Short weekly role-plays", "Specific feedback on real conversations",
                       "Leaders who model empathetic replies"],
                      ["Ranking agents publicly by empathy scores"],
                      "Practice, feedback and example build the habit; public rankings tend to backfire."),
            _true_false("A role-play only works if it lasts at least an hour.", False, EN_TF,
                        "Five-minute rounds, repeated every week, are enough to build the habit."),
            _short("In a role-play, one person plays the agent. Who does the other person play?",
                   ["the customer", "customer", "a customer"],
                   "One plays the customer, one the agent, and they swap roles."),
            _single("What makes feedback on empathy useful?",
                    "Quoting a specific moment of the conversation and what could change",
                    ["A general grade for the whole month", "Comparing the agent with colleagues"],
                    "Specific, timely feedback on a real moment is easy to act on."),
        ]),
    ],
    EMPATHY_SLUG_PT: [
        ("Revisão: entendendo a empatia", {"max_attempts": 3, "shuffle_choices": True}, [
            _single("Um cliente escreve: \"É a terceira vez que pergunto sobre esse reembolso.\" Qual resposta "
                    "mostra empatia?",
                    "\"Ter que perguntar três vezes cansa. Vou verificar o reembolso agora mesmo.\"",
                    ["\"Pedimos desculpas por qualquer transtorno.\"",
                     "\"O prazo para reembolsos é de 5 a 7 dias úteis.\""],
                    "A empatia reconhece a situação do cliente e faz o problema andar."),
            _true_false("Ser empático é concordar com tudo o que o cliente diz.", False, PT_TF,
                        "Dá para entender um sentimento sem concordar com cada afirmação."),
            _multiple("Quais destes sinais indicam que o cliente está perdendo a paciência?",
                      ["Palavras como \"de novo\" ou \"ainda\"", "Respostas curtas depois de mensagens longas",
                       "Vários pontos de interrogação seguidos"],
                      ["Um agradecimento no fim da mensagem"],
                      "Repetição, respostas secas e pontuação exagerada costumam revelar frustração."),
            _short("A simpatia diz \"sinto muito\". Qual é o nome da habilidade que se coloca ao lado do cliente "
                   "para entendê-lo?", ["empatia", "escuta empática"],
                   "Empatia: entender o que o cliente está vivendo e deixar isso guiar a resposta."),
        ]),
        ("Revisão: por que a empatia vale a pena", {"max_attempts": 3, "shuffle_questions": True,
                                                    "reveal_answers": Quiz.Reveal.AFTER_PASSING_OR_LAST}, [
            _single("Depois de um atraso na entrega resolvido com cuidado de verdade, o que costuma acontecer com a "
                    "confiança do cliente?",
                    "Pode ficar até maior do que se nada tivesse dado errado",
                    ["Cai para sempre", "Não muda nada"],
                    "Um problema bem resolvido prova que dá para contar com a empresa."),
            _multiple("Que retornos a equipe pode esperar quando o cliente se sente compreendido?",
                      ["Clientes mais fiéis", "Conflitos que se acalmam", "Equipe mais motivada"],
                      ["Ligações sempre mais longas"],
                      "Fidelidade, conversas mais calmas e moral alta; a ligação não precisa ficar mais longa."),
            _true_false("Um cliente irritado se acalma mais rápido quando o atendente reconhece a frustração antes "
                        "de explicar a regra.", True, PT_TF,
                        "Sentir-se ouvido baixa a tensão; a explicação é mais bem recebida depois."),
            _short("Em uma palavra: o que os clientes costumam publicar na internet depois de um bom ou mau "
                   "atendimento?", ["avaliações", "avaliação", "comentários"],
                   "Avaliações se espalham rápido: a empatia protege a reputação da empresa."),
        ]),
        ("Revisão: cultivando a empatia na equipe", {"max_attempts": None, "questions_per_attempt": 4,
                                                     "time_limit_seconds": 600, "shuffle_questions": True,
                                                     "shuffle_choices": True}, [
            _single("Qual é o centro da escuta ativa?",
                    "Deixar o cliente terminar e devolver com suas palavras o que você entendeu",
                    ["Preparar a resposta enquanto o cliente fala", "Ler o roteiro mais rápido"],
                    "Escutar para entender, não para responder, e conferir se entendeu."),
            _multiple("Quais práticas desenvolvem a empatia na equipe de atendimento?",
                      ["Role-plays curtos toda semana", "Retorno específico sobre conversas reais",
                       "Líderes que dão o exemplo nas respostas"],
                      ["Ranking público de empatia entre os atendentes"],
                      "Prática, retorno e exemplo criam o hábito; rankings públicos costumam atrapalhar."),
            _true_false("Um role-play só funciona se durar pelo menos uma hora.", False, PT_TF,
                        "Rodadas de cinco minutos, toda semana, bastam para criar o hábito."),
            _short("No role-play, uma pessoa faz o papel do atendente. Quem a outra pessoa interpreta?",
                   ["o cliente", "cliente", "a cliente"],
                   "Uma pessoa faz o cliente, a outra o atendente, e depois elas trocam."),
            _single("O que torna útil um retorno sobre empatia?",
                    "Citar um momento específico da conversa e o que poderia mudar",
                    ["Uma nota geral do mês inteiro", "Comparar o atendente com os colegas"],
                    "Retorno específico e no momento certo é fácil de colocar em prática."),
        ]),
    ],
}


def _add_quizzes(course: Course) -> bool:
    added = False
    for module, (title, settings, questions) in zip(
            course.modules.order_by("position", "id"), QUIZZES[course.slug], strict=False):
        if module.activities.filter(kind=Activity.Kind.QUIZ).exists():
            continue
        with transaction.atomic():
            quiz = services.quiz_activity_create(module=module, title=title, required=True, estimated_minutes=5,
                                                 passing_score=70, **settings)
            for question in questions:
                services.question_create(quiz=quiz, **question)
        added = True
    return added


def _refresh_progress(course: Course) -> None:
    """New required activities change what 100% means. Progress is updated only when a result is
    recorded, so record each learner's latest passed lesson again (same result: only the figures
    are recomputed)."""
    for enrollment in Enrollment.objects.filter(course=course):
        latest = (ActivityProgress.objects.filter(enrollment=enrollment, status=ActivityProgress.Status.PASSED)
                  .select_related("activity").order_by("-completed_at", "-id").first())
        if latest is not None:
            course_services.activity_record_result(enrollment=enrollment, activity=latest.activity, passed=True)


@demo_loader(order=20)
def load_quizzes(credentials: dict) -> None:
    for course in Course.objects.filter(slug__in=QUIZZES):
        if _add_quizzes(course):
            _refresh_progress(course)
        pass_quizzes(course)

