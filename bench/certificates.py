"""``python -m bench.certificates``: how fast certificates are made, and that bulk issuing makes each once.

Two measurements, on the bench PostgreSQL database and Redis (bench/environment.py):

1. **Per worker process.** What one worker does per certificate — issue and render in one transaction
   (the row under the enrollment's lock, the PDF with the QR code, the signed Open Badges credential
   (eddsa-rdfc-2022), the file saved through Django storage) — run in this process, one certificate
   after another, against two **floors**: the same certificate layout drawn by reportlab alone (the
   same page, borders, fonts, texts and QR code, with reportlab's own text drawing and no database,
   shaping, signing or storage: the fair floor, and the ratio's), and a bare one-page A4 reportlab PDF
   with one line of text (the least any PDF costs). Signing must be on: the run creates the issuer key
   if there is none and fails if certificates come out unsigned. Rounds alternate project and floors
   (P L B, B L P, ...) so a busy machine slows all alike.
2. **Bulk issue with real workers.** N completed enrollments appear at once (a bulk completion); the
   completion hook's task is enqueued for each, and halfway through the reconciler also re-enqueues
   every enrollment still without a certificate (duplicate deliveries on purpose). ``--workers``
   Celery worker processes (prefork, concurrency 1 each) drain the queue. Reported: the time until
   every certificate exists, is rendered and signed, and the duplicates: enrollments with more than
   one certificate, certificates issued, rendered or emailed more than once, PDF files beyond one per
   certificate. All must be 0.

Figures are appended to bench/RESULTS.md (``--no-record`` to skip).
"""
from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import environment, machine, targets

COURSE_SLUG = "bench-certificates"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.certificates", description=__doc__.splitlines()[0])
    parser.add_argument("--per-worker", type=int, default=200, help="certificates made in-process (default 200)")
    parser.add_argument("--rounds", type=int, default=4, help="alternating project/floor rounds (default 4)")
    parser.add_argument("--certificates", type=int, default=5000, help="bulk issue size (default 5000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for the bulk issue (default 2)")
    parser.add_argument("--timeout", type=float, default=1800, help="give up on the bulk issue after this (s)")
    parser.add_argument("--no-record", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args(argv)
    if min(args.per_worker, args.rounds, args.certificates, args.workers) < 1:
        parser.error("sizes must be at least 1")
    return args


def setup_django() -> None:
    env = environment.configure()
    os.environ["CREDENTIAL_KEYS_DIR"] = str(environment.VAR_DIR / "keys")
    os.environ["MEDIA_ROOT"] = str(environment.VAR_DIR / "media")
    env.update(CREDENTIAL_KEYS_DIR=os.environ["CREDENTIAL_KEYS_DIR"], MEDIA_ROOT=os.environ["MEDIA_ROOT"])
    import django

    django.setup()


def fresh_enrollments(count: int, prefix: str):
    """``count`` completed enrollments in the bench course, none with a certificate yet (a bulk completion)."""
    from django.db import transaction
    from django.utils import timezone

    from bench import data
    from courses.catalog import services
    from courses.catalog.models import Course
    from courses.certificates.models import Certificate
    from courses.enrollments.models import Enrollment

    org = data.organization()
    course = Course.objects.filter(slug=COURSE_SLUG).first()
    if course is None:
        with transaction.atomic():
            course = services.course_create(slug=COURSE_SLUG, title="Listening Before Solving", organization=org,
                                            description="Bench course for certificate issuing.",
                                            hours_credited=4)
            module = services.module_create(course=course, title="Module 1")
            services.activity_create(module=module, title="The one lesson",
                                     lesson={"content_type": "article", "body": "Listen first."})
            services.course_publish(course=course)
    learners = data.people(org, count, prefix=prefix, roles=("learner",))
    old = Enrollment.objects.filter(course=course, user__in=learners)
    Certificate.objects.filter(enrollment__in=old).delete()
    old.delete()
    now = timezone.now()
    rows = data.bulk(Enrollment, [
        Enrollment(user=user, course=course, organization=org, status=Enrollment.Status.COMPLETED, enrolled_at=now,
                   completed_at=now, progress_percent=100, final_score=92) for user in learners
    ], f"completed enrollments ({prefix})")
    return [row.pk for row in rows]


def bare_page(i: int) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=landscape(A4))
    page.setFont("Helvetica", 24)
    page.drawString(72, 300, f"Certificate {i}")
    page.showPage()
    page.save()
    return buffer.getvalue()


def layout_page(i: int) -> bytes:
    """The certificate's page as reportlab alone draws it: what any certificate PDF of this layout costs."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    from courses.certificates import pdf as certificate_pdf

    regular, bold = certificate_pdf._register_fonts()
    labels = certificate_pdf.LABELS["en"]
    width, height = landscape(A4)
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(width, height), invariant=0, initialFontName=regular)
    page.setTitle(f"{labels['title']}: Listening Before Solving")
    page.setStrokeColor(certificate_pdf.ACCENT)
    page.setLineWidth(3)
    page.rect(24, 24, width - 48, height - 48)
    page.setLineWidth(0.8)
    page.rect(32, 32, width - 64, height - 64)
    centre = width / 2
    for font, size, y, text in (
        (bold, 30, height - 110, labels["title"]), (regular, 15, height - 160, labels["certifies"]),
        (bold, 34, height - 210, f"Certbench Solo {i}"), (regular, 15, height - 262, labels["completed"]),
        (bold, 24, height - 300, "Listening Before Solving"),
        (regular, 13, height - 350, "Issued on March 04, 2026  ·  4 hours of training  ·  Final score: 92"),
        (regular, 13, height - 385, "Issued by Bench Org"),
    ):
        page.setFont(font, size)
        page.drawCentredString(centre, y, text)
    code = f"benchFloorCode{i:06d}"
    url = f"https://lms.example/verify/{code}/"
    certificate_pdf._draw_qr(page, url, width - 170, 56, 110)  # segno and one reportlab path, as the project
    page.setFont(regular, 10)
    page.drawString(64, 96, labels["code"])
    page.setFont(bold, 13)
    page.drawString(64, 78, code)
    page.setFont(regular, 9)
    page.drawString(64, 60, f"{labels['verify']} {url}")
    page.showPage()
    page.save()
    return buffer.getvalue()


def per_worker(args) -> dict:
    from courses.certificates import services as certificate_services
    from courses.certificates.models import Certificate

    warmup, *ids = fresh_enrollments(args.per_worker + 1, "certbench-solo")
    chunks = [ids[i::args.rounds] for i in range(args.rounds)]
    seconds = {"project": 0.0, "layout": 0.0, "bare": 0.0}

    def project(chunk):
        for enrollment_id in chunk:  # what the issue task does: issue and render in one transaction
            certificate_services.certificate_issue(enrollment_id=enrollment_id, render=True)

    sides = {"project": project, "layout": lambda chunk: [layout_page(i) for i in chunk],
             "bare": lambda chunk: [bare_page(i) for i in chunk]}
    for side in sides.values():  # load fonts, keys and code paths once, outside the measurement
        side([warmup])
    for round_no, chunk in enumerate(chunks):
        order = ("project", "layout", "bare") if round_no % 2 == 0 else ("bare", "layout", "project")
        for side in order:
            started = time.perf_counter()
            sides[side](chunk)
            seconds[side] += time.perf_counter() - started
    made = Certificate.objects.filter(enrollment_id__in=ids, rendered_at__isnull=False, credential__isnull=False)
    if made.count() != len(ids):
        raise AssertionError(f"{made.count()} of {len(ids)} certificates rendered and signed")
    unsigned = made.exclude(credential__has_key="proof").count()
    if unsigned:
        raise AssertionError(f"{unsigned} certificates have a credential without a proof: signing is off")
    return {"certificates": len(ids), "project_rate": len(ids) / seconds["project"],
            "floor_rate": len(ids) / seconds["layout"], "bare_rate": len(ids) / seconds["bare"]}


class Worker:
    """One ``celery worker`` process (prefork, concurrency 1) in its own process group.

    ``env`` defaults to this process's environment; ``queue`` and ``name`` let other runners
    (bench/load) start one on a queue of their own.
    """

    def __init__(self, n: int, log_dir: Path, *, queue: str = "default", name: str = "certbench",
                 env: dict[str, str] | None = None) -> None:
        self.log_path = log_dir / f"{'cert' if name == 'certbench' else name}-worker-{n}.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "lms", "worker", "-Q", queue, "-c", "1", "--pool", "prefork",
             "-n", f"{name}{n}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--loglevel", "INFO"],
            cwd=str(environment.BASE_DIR), env=os.environ.copy() if env is None else env, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"worker exited: see {self.log_path}")
        return " ready." in self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


def bulk_issue(args) -> dict:
    from django.conf import settings
    from django.db.models import Count, Q

    from courses.certificates import services as certificate_services
    from courses.certificates.models import Certificate, CertificateEvent
    from courses.certificates.reconcilers import certificates_missing
    from courses.enrollments.models import Enrollment
    from lms.celery import app

    ids = fresh_enrollments(args.certificates, "certbench-bulk")
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("default")
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "certificates", ignore_errors=True)
    log_dir = environment.VAR_DIR
    log_dir.mkdir(parents=True, exist_ok=True)
    workers = [Worker(n, log_dir) for n in range(args.workers)]
    try:
        deadline = time.monotonic() + 60
        while not all(w.ready() for w in workers):
            if time.monotonic() > deadline:
                raise RuntimeError("workers did not start within 60 s")
            time.sleep(0.2)
        done = Certificate.objects.filter(enrollment_id__in=ids, rendered_at__isnull=False,
                                          credential__isnull=False)
        started = time.monotonic()
        for enrollment_id in ids:  # what each completion's on-commit hook does
            certificate_services.certificate_schedule_issue(enrollment_id)
        enqueued = time.monotonic() - started
        duplicates_sent = 0
        while True:
            count = done.count()
            if count >= len(ids):
                break
            if not duplicates_sent and count >= len(ids) // 2:
                # The reconciler's batches re-deliver enrollments still without a certificate, some of
                # which are already queued: duplicate deliveries, on purpose.
                duplicates_sent = certificates_missing() or -1
            if time.monotonic() - started > args.timeout:
                raise RuntimeError(f"only {count} of {len(ids)} certificates after {args.timeout} s")
            time.sleep(0.25)
        elapsed = time.monotonic() - started
    finally:
        for worker in workers:
            worker.stop()
    certificates = Certificate.objects.filter(enrollment_id__in=ids)
    events = CertificateEvent.objects.filter(certificate__in=certificates).values("certificate").annotate(
        issued=Count("id", filter=Q(kind="issued")), rendered=Count("id", filter=Q(kind="rendered")),
        emailed=Count("id", filter=Q(kind="emailed")))
    pdfs = list((Path(settings.MEDIA_ROOT) / "certificates").glob("*.pdf"))
    # The reconciler run halfway re-enqueues every completed enrollment without a certificate, also those other
    # workloads left in the bench database: the workers issue those too, and their files are not this run's.
    foreign = Certificate.objects.exclude(enrollment_id__in=ids).filter(
        pdf__in=[f"certificates/{path.name}" for path in pdfs]).count()
    return {
        "certificates": certificates.count(), "enrollments": len(ids), "workers": args.workers,
        "seconds": elapsed, "enqueue_seconds": enqueued, "duplicate_deliveries": max(0, duplicates_sent),
        "rate": len(ids) / elapsed,
        "dup_enrollments": Enrollment.objects.filter(pk__in=ids).annotate(n=Count("certificate")).filter(
            n__gt=1).count(),
        "dup_issued": events.filter(issued__gt=1).count(),
        "dup_rendered": events.filter(rendered__gt=1).count(),
        "dup_emailed": events.filter(emailed__gt=1).count(),
        "extra_pdfs": len(pdfs) - foreign - certificates.count(),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    setup_django()
    from bench.__main__ import check_redis, prepare_database
    from courses.certificates import open_badges as certificate_credentials
    from courses.certificates.credentials import keys

    watch = machine.LoadWatch(own=2 * args.workers + 1)  # each worker and its backend, and this process
    prepare_database(False)
    check_redis()
    if not certificate_credentials.signing_enabled():
        keys.key_generate()
    if not certificate_credentials.signing_enabled():  # unsigned certificates are cheaper: no figure without
        print("signing is off (no issuer key could be made): not measuring", file=sys.stderr)
        return 1

    solo = per_worker(args)
    ratio = solo["project_rate"] / solo["floor_rate"]
    print(f"per worker: {solo['project_rate']:.1f} certificates/s vs floor {solo['floor_rate']:.1f} same-layout "
          f"reportlab pages/s (ratio {ratio:.3f}; bare one-line pages {solo['bare_rate']:.1f}/s, ratio "
          f"{solo['project_rate'] / solo['bare_rate']:.3f}) over {solo['certificates']} certificates")
    targets.figure_put("certificate", value=ratio, project=f"{solo['project_rate']:.1f} certificates/s",
                       floor=f"{solo['floor_rate']:.1f} same-layout pages/s (bare one-line pages "
                             f"{solo['bare_rate']:.0f}/s)", watch=watch)
    bulk = bulk_issue(args)
    duplicates = sum(bulk[k] for k in ("dup_enrollments", "dup_issued", "dup_rendered", "dup_emailed"))
    duplicates += max(0, bulk["extra_pdfs"])
    print(f"bulk: {bulk['certificates']}/{bulk['enrollments']} certificates by {bulk['workers']} workers in "
          f"{bulk['seconds']:.1f} s ({bulk['rate']:.1f}/s), {bulk['duplicate_deliveries']} duplicate deliveries "
          f"injected, duplicates {duplicates}")
    failed = bulk["certificates"] != bulk["enrollments"] or duplicates != 0
    if args.no_record:
        print(watch.finish().line())
    else:
        record(args, argv, solo, ratio, bulk, duplicates, watch)
    return 1 if failed else 0


def record(args, argv, solo, ratio, bulk, duplicates, watch: machine.LoadWatch) -> None:
    import django

    pg = machine.postgres_version()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = " ".join(["python -m bench.certificates", *argv])
    lines = [
        f"\n## {stamp} — `{command}`\n",
        f"- nproc {os.cpu_count()}, {platform.machine()}, Linux {platform.release()}; Python "
        f"{platform.python_version()}, Django {django.get_version()}, PostgreSQL {pg}",
        "",
        "| measurement | project | floor | ratio |",
        "|:--|--:|--:|--:|",
        f"| certificates per second, one process (issue + PDF + QR + signed credential + storage, one transaction) "
        f"vs the same layout drawn by reportlab alone (target ≥ 0.5) | {solo['project_rate']:.1f} | "
        f"{solo['floor_rate']:.1f} | {ratio:.3f} |",
        f"| the same certificates vs bare one-line reportlab pages | {solo['project_rate']:.1f} | "
        f"{solo['bare_rate']:.1f} | {solo['project_rate'] / solo['bare_rate']:.3f} |",
        "",
        f"- bulk issue: {bulk['enrollments']:,} enrollments completed at once, {bulk['workers']} worker processes "
        f"(prefork, concurrency 1): **{bulk['seconds']:.1f} s** until every certificate was issued, rendered "
        f"and signed ({bulk['rate']:.1f}/s overall, {bulk['rate'] / bulk['workers']:.1f}/s per worker; enqueueing "
        f"took {bulk['enqueue_seconds']:.1f} s of it); {bulk['duplicate_deliveries']:,} duplicate deliveries "
        f"injected by a reconciler run halfway.",
        f"- duplicates: **{duplicates}** (enrollments with more than one certificate {bulk['dup_enrollments']}, "
        f"certificates issued twice {bulk['dup_issued']}, rendered twice {bulk['dup_rendered']}, emailed twice "
        f"{bulk['dup_emailed']}, PDF files beyond one per certificate {max(0, bulk['extra_pdfs'])}).",
        "",
    ]
    machine.append_results(lines, watch)


if __name__ == "__main__":
    sys.exit(main())
