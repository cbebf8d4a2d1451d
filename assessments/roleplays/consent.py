"""The consent text a learner agrees to before a role-play recording is stored, one frozen text per version.

A version's words never change once published: a learner's ``RecordingConsent`` names the version they
read, so what they agreed to stays readable. A new wording is a new version (append it to ``VERSIONS``);
the highest is the current one, the only one the services accept for a new recording. Each version is
written in every language the site speaks (English and Brazilian Portuguese) here rather than in the
translation catalogue, so a translation cannot drift after people agreed to it. ``{days}`` is the
``recordings`` retention period (``PRIVACY_RETENTION_DAYS["recordings"]``, 90 days unless configured).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.translation import get_language

DEFAULT_RECORDING_DAYS = 90


@dataclass(frozen=True)
class ConsentText:
    version: int
    published: date
    en: tuple[str, ...]
    pt_br: tuple[str, ...]

    def paragraphs(self, language: str | None = None) -> list[str]:
        """The text in ``language`` (the active one by default), English when we do not have that language."""
        language = (language or get_language() or "en").lower()
        words = self.pt_br if language.startswith("pt") else self.en
        return [paragraph.format(days=recording_days()) for paragraph in words]


VERSIONS: dict[int, ConsentText] = {
    1: ConsentText(
        version=1,
        published=date(2026, 12, 6),
        en=(
            "What we record: the audio or video file of this role-play that you record or upload here, your "
            "voice and anything the camera shows.",
            "Who sees it: the people asked to review this performance (your peers, your role-play partner, your "
            "supervisor and, when reviews are late, your organization's admins) and the instructors of this "
            "course. It is never public.",
            "How long we keep it: {days} days after the performance is scored, then we delete the file. The "
            "transcript and the reviews stay with your course record.",
            "You may withdraw your consent at any time on the performance's page. We then delete the recording "
            "at once; reviewers go on with the transcript, and a score already given stays.",
            "You do not have to agree: you can send a written transcript instead of a recording.",
        ),
        pt_br=(
            "O que gravamos: o arquivo de áudio ou vídeo desta simulação que você gravar ou enviar aqui, a sua "
            "voz e tudo o que a câmera mostrar.",
            "Quem vê: as pessoas chamadas a avaliar esta atuação (seus colegas, seu parceiro na simulação, seu "
            "supervisor e, quando as avaliações atrasam, os administradores da sua organização) e os instrutores "
            "deste curso. Ela nunca é pública.",
            "Por quanto tempo guardamos: {days} dias depois que a atuação recebe a nota; depois apagamos o "
            "arquivo. A transcrição e as avaliações continuam no seu histórico do curso.",
            "Você pode retirar o seu consentimento a qualquer momento na página da atuação. Nesse caso apagamos "
            "a gravação na hora; os avaliadores continuam com a transcrição, e uma nota já dada permanece.",
            "Você não é obrigado a concordar: pode enviar uma transcrição escrita em vez de uma gravação.",
        ),
    ),
    # Version 2 covers a link to a recording kept elsewhere as well as a file kept here.
    2: ConsentText(
        version=2,
        published=date(2026, 12, 7),
        en=(
            "What we record: the audio or video file of this role-play that you record or upload here, or the "
            "link you give us to a recording of it kept elsewhere; your voice and anything the camera shows.",
            "Who sees it: the people asked to review this performance (your peers, your role-play partner, your "
            "supervisor and, when reviews are late, your organization's admins) and the instructors of this "
            "course. It is never public, and a link is shown to no one else.",
            "How long we keep it: {days} days after the performance is scored; then we delete the file, or remove "
            "the link (a recording kept elsewhere is yours to delete there). The transcript and the reviews stay "
            "with your course record.",
            "You may withdraw your consent at any time on the performance's page. We then delete the recording, "
            "or remove the link, at once; reviewers go on with the transcript, and a score already given stays.",
            "You do not have to agree: you can send a written transcript instead of a recording.",
        ),
        pt_br=(
            "O que gravamos: o arquivo de áudio ou vídeo desta simulação que você gravar ou enviar aqui, ou o "
            "link que você nos der para uma gravação dela guardada em outro lugar; a sua voz e tudo o que a "
            "câmera mostrar.",
            "Quem vê: as pessoas chamadas a avaliar esta atuação (seus colegas, seu parceiro na simulação, seu "
            "supervisor e, quando as avaliações atrasam, os administradores da sua organização) e os instrutores "
            "deste curso. Ela nunca é pública, e um link não é mostrado a mais ninguém.",
            "Por quanto tempo guardamos: {days} dias depois que a atuação recebe a nota; depois apagamos o "
            "arquivo, ou removemos o link (uma gravação guardada em outro lugar cabe a você apagar lá). A "
            "transcrição e as avaliações continuam no seu histórico do curso.",
            "Você pode retirar o seu consentimento a qualquer momento na página da atuação. Nesse caso apagamos "
            "a gravação, ou removemos o link, na hora; os avaliadores continuam com a transcrição, e uma nota já "
            "dada permanece.",
            "Você não é obrigado a concordar: pode enviar uma transcrição escrita em vez de uma gravação.",
        ),
    ),
}
CURRENT_VERSION = max(VERSIONS)


def recording_days() -> int:
    """Days a recording is kept after its performance is scored (the ``recordings`` retention class)."""
    configured = getattr(settings, "PRIVACY_RETENTION_DAYS", None) or {}
    return int(configured.get("recordings", DEFAULT_RECORDING_DAYS))


def current() -> ConsentText:
    return VERSIONS[CURRENT_VERSION]


def text_of(version: int) -> ConsentText | None:
    return VERSIONS.get(version)
