"""Make the demo's self-hosted lesson videos once: slides drawn with Pillow, an English voice-over spoken by
espeak-ng, put together by ffmpeg into a small WebM (VP9 video, Opus audio), with WebVTT captions in English
and Brazilian Portuguese whose cues follow the speech, sentence by sentence.

The outputs are committed under courses/demo_data/media/, so `make run` and CI need neither tool. Run it again
only to change the video:

    apt-get install -y ffmpeg espeak-ng fonts-dejavu-core
    .venv/bin/python scripts/make_demo_video.py [name ...]   # all three videos, or the ones named

Every sentence is spoken on its own; the cue of a sentence starts where its sound starts in the track and ends
where it ends, so the captions match the voice whatever speed espeak-ng speaks at.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "courses" / "demo_data" / "media"
SIZE = (960, 540)
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
VOICE, SPEED = "en-us", "150"  # espeak-ng's US English voice, words per minute
PAUSE = 0.45  # seconds of silence after each sentence
RATE = 22050  # espeak-ng's sample rate
ESPEAK, FFMPEG = shutil.which("espeak-ng"), shutil.which("ffmpeg")

# Each video: its slides; each slide: its title, the lines under it, then (English, Brazilian Portuguese) for
# each sentence spoken.
VIDEOS = {
    "sympathy-empathy-space-between": [
        ("Sympathy, empathy and the space between", ["The Power of Empathy in Customer Service"], [
            ("Welcome.", "Boas-vindas."),
            ("In this short video we look at one small gap in customer service:",
             "Neste vídeo curto, olhamos para uma pequena lacuna no atendimento ao cliente:"),
            ("the space between feeling sorry for a customer, and understanding them.",
             "o espaço entre sentir pena de um cliente e compreendê-lo."),
        ]),
        ("Sympathy", ["\u201cI\u2019m sorry to hear that.", "Can I have your account number?\u201d",
                      "Polite, but it skips what the customer just said."], [
            ("Sympathy sounds like this:", "A simpatia soa assim:"),
            ("I'm sorry to hear that. Can I have your account number?",
             "Sinto muito por isso. Pode me passar o número da sua conta?"),
            ("It is polite, but it skips over what the customer just told us.",
             "É educado, mas passa por cima do que o cliente acabou de nos dizer."),
        ]),
        ("Empathy", ["\u201cYou\u2019ve explained this twice already,", "and that\u2019s frustrating.\u201d",
                     "Pick up where the last call stopped."], [
            ("Empathy sounds like this:", "A empatia soa assim:"),
            ("You have explained this twice already, and that is frustrating.",
             "Você já explicou isso duas vezes, e isso é frustrante."),
            ("I have the notes from your last call, so let's finish the part that is still open.",
             "Estou com as anotações da sua última ligação, então vamos resolver a parte que ainda está em aberto."),
        ]),
        ("Three moves", ["1. Repeat the customer\u2019s own words", "2. Name the feeling, without drama",
                         "3. Make a promise you can keep"], [
            ("Notice three moves.", "Repare em três movimentos."),
            ("Repeat the customer's own words.", "Repita as palavras do próprio cliente."),
            ("Name the feeling, without drama.", "Nomeie o sentimento, sem drama."),
            ("And make a promise you can keep.", "E faça uma promessa que você possa cumprir."),
        ]),
        ("Your exercise", ["In your next five conversations,", "write down the first cue you notice,",
                           "before you look anything up."], [
            ("Your exercise:", "Seu exercício:"),
            ("in your next five conversations, write down the first cue you notice, before you look anything up.",
             "nas suas próximas cinco conversas, anote o primeiro sinal que você perceber, antes de consultar "
             "qualquer coisa."),
            ("Thank you for watching.", "Obrigado por assistir."),
        ]),
    ],
    "de-escalating-a-missed-delivery": [
        ("De-escalating a missed delivery", ["The Power of Empathy in Customer Service"], [
            ("A sofa delivery did not arrive.", "Uma entrega de sofá não chegou."),
            ("The customer took the day off work to wait for it, and her first sentence is loud.",
             "A cliente tirou o dia de folga para esperar, e a primeira frase dela é em voz alta."),
        ]),
        ("Version one", ["The agent quotes the delivery window", "from the terms and conditions.",
                         "The customer gets louder."], [
            ("In version one, the agent quotes the delivery window from the terms and conditions.",
             "Na versão um, o atendente cita o prazo de entrega dos termos e condições."),
            ("The customer gets louder, and the call ends with a complaint.",
             "A cliente fala mais alto, e a ligação termina com uma reclamação."),
        ]),
        ("Version two", ["\u201cYou took a day off and nobody came.", "I\u2019d be upset too.\u201d",
                         "Then: find the van, book a new slot."], [
            ("In version two, the agent says: you took a day off for this and nobody came. I would be upset too.",
             "Na versão dois, a atendente diz: você tirou um dia de folga para isso e ninguém apareceu. Eu "
             "também ficaria chateada."),
            ("Then she finds out where the van is, and books a new slot on the customer's next free evening.",
             "Depois ela descobre onde está o caminhão e agenda um novo horário na próxima noite livre da "
             "cliente."),
        ]),
        ("The first thirty seconds", ["Same policy, same company, same sofa.",
                                      "Listen for the moment the temperature drops."], [
            ("Same policy, same company, same sofa. The difference is the first thirty seconds.",
             "Mesma política, mesma empresa, mesmo sofá. A diferença está nos primeiros trinta segundos."),
            ("When you listen to your own calls, mark the moment the temperature drops.",
             "Quando ouvir suas próprias ligações, marque o momento em que a temperatura baixa."),
            ("It almost always follows a sentence where the customer felt understood.",
             "Quase sempre ele vem depois de uma frase em que o cliente se sentiu compreendido."),
        ]),
    ],
    "a-role-play-step-by-step": [
        ("A role-play, step by step", ["The Power of Empathy in Customer Service"], [
            ("Let's run a role-play together.", "Vamos fazer um role-play juntos."),
            ("One colleague plays a customer whose internet has been down for two days. Another is the agent. "
             "A third observes with the rubric.",
             "Um colega faz o papel de um cliente que está sem internet há dois dias. Outro é o atendente. Um "
             "terceiro observa com a rubrica."),
        ]),
        ("First try", ["\u201cTwo days! I\u2019m losing money here.\u201d",
                       "\u201cHave you tried restarting the router?\u201d"], [
            ("The customer opens: two days! I'm losing money here.",
             "O cliente começa: dois dias! Estou perdendo dinheiro."),
            ("The agent starts with the fix, and the observer writes: the feeling was not acknowledged.",
             "O atendente começa pela solução, e o observador anota: o sentimento não foi reconhecido."),
        ]),
        ("Second try", ["Name what is at stake.", "Check the line now.", "Offer a way to keep working today."], [
            ("We reset. Two days without internet when you work from home, that's serious.",
             "Recomeçamos. Dois dias sem internet quando você trabalha de casa, isso é sério."),
            ("I'm checking the line in your street now, and I'll see if we can get you mobile data today.",
             "Estou verificando a linha da sua rua agora e vou ver se conseguimos dados móveis para você hoje."),
        ]),
        ("Swap and repeat", ["Five minutes per round, three rounds,", "one short debrief, every week."], [
            ("Then everyone swaps. Five minutes per round, three rounds, and one short debrief.",
             "Depois todos trocam de papel. Cinco minutos por rodada, três rodadas e uma conversa curta no final."),
            ("A full empathy practice in under twenty minutes, and it works best every week.",
             "Uma prática completa de empatia em menos de vinte minutos, e funciona melhor toda semana."),
        ]),
    ],
}


def slide_picture(title: str, lines: list[str], number: int, count: int, path: Path) -> None:
    picture = Image.new("RGB", SIZE, "#1f2a44")
    draw = ImageDraw.Draw(picture)
    bold = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Bold.ttf"), 44)
    regular = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), 30)
    small = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), 20)
    draw.rectangle((0, 0, 18, SIZE[1]), fill="#0b5cad")
    y = 150
    for part in _wrap(title, bold, draw, SIZE[0] - 140):
        draw.text((70, y), part, font=bold, fill="#ffffff")
        y += 60
    y += 24
    for line in lines:
        draw.text((70, y), line, font=regular, fill="#d8e3f3")
        y += 46
    draw.text((70, SIZE[1] - 50), f"Empathy LMS demo \u00b7 {number}/{count}", font=small, fill="#9fb0c8")
    picture.save(path)


def _wrap(text: str, font, draw, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=font) > width and current:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current]


def speak(text: str, path: Path) -> bytes:
    subprocess.run([ESPEAK, "-v", VOICE, "-s", SPEED, "-w", str(path), text], check=True)
    with wave.open(str(path)) as sound:
        if sound.getframerate() != RATE or sound.getnchannels() != 1:
            sys.exit("espeak-ng wrote an unexpected format")
        return sound.readframes(sound.getnframes())


def stamp(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):02d}:{rest:06.3f}"


def make(name: str, slides: list) -> None:
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        audio = bytearray()
        cues: list[tuple[float, float, str, str]] = []
        concat = []
        for number, (title, lines, sentences) in enumerate(slides, start=1):
            picture = work / f"slide-{number}.png"
            slide_picture(title, lines, number, len(slides), picture)
            slide_start = len(audio) / 2 / RATE
            for index, (english, portuguese) in enumerate(sentences):
                frames = speak(english, work / f"s{number}-{index}.wav")
                start = len(audio) / 2 / RATE
                audio += frames
                cues.append((start, len(audio) / 2 / RATE, english, portuguese))
                audio += b"\x00\x00" * int(PAUSE * RATE)
            concat += [f"file '{picture}'", f"duration {len(audio) / 2 / RATE - slide_start:.3f}"]
        concat.append(f"file '{work / f'slide-{len(slides)}.png'}'")  # the concat demuxer's last frame
        voice = work / "voice.wav"
        with wave.open(str(voice), "wb") as sound:
            sound.setnchannels(1)
            sound.setsampwidth(2)
            sound.setframerate(RATE)
            sound.writeframes(bytes(audio))
        (work / "slides.txt").write_text("\n".join(concat) + "\n")
        subprocess.run([
            FFMPEG, "-y", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", str(work / "slides.txt"),
            "-i", str(voice), "-vf", "fps=10,format=yuv420p", "-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "42",
            "-row-mt", "1", "-g", "50", "-c:a", "libopus", "-b:a", "32k", "-ac", "1", "-shortest",
            "-map_metadata", "-1", "-fflags", "+bitexact", str(OUT / f"{name}.webm"),
        ], check=True)
    for language, column in (("en", 2), ("pt-BR", 3)):
        blocks = [f"{n}\n{stamp(cue[0])} --> {stamp(cue[1])}\n{cue[column]}" for n, cue in enumerate(cues, start=1)]
        (OUT / f"{name}.{language}.vtt").write_text("WEBVTT\n\n" + "\n\n".join(blocks) + "\n", encoding="utf-8")
    size = (OUT / f"{name}.webm").stat().st_size
    print(f"{name}.webm: {size / 1024:.0f} KB, {cues[-1][1]:.1f} s, {len(cues)} cues")


def main() -> None:
    if not ESPEAK or not FFMPEG:
        sys.exit("Install ffmpeg and espeak-ng first (apt-get install -y ffmpeg espeak-ng).")
    OUT.mkdir(parents=True, exist_ok=True)
    for name, slides in VIDEOS.items():
        if len(sys.argv) < 2 or name in sys.argv[1:]:
            make(name, slides)


if __name__ == "__main__":
    main()
