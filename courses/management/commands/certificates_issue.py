from django.core.management.base import BaseCommand, CommandError

from courses.catalog.models import Course
from courses.certificates import services as certificate_services
from courses.certificates.models import Certificate
from courses.enrollments.models import Enrollment


class Command(BaseCommand):
    help = ("Issue the missing certificates of a course's completed enrollments (idempotent), or with "
            "--reissue regenerate every valid one with current names and titles (codes stay).")

    def add_arguments(self, parser):
        parser.add_argument("course", help="The course's slug.")
        parser.add_argument("--reissue", action="store_true", help="Regenerate existing valid certificates too.")
        parser.add_argument("--reason", default="bulk reissue", help="Recorded in each certificate's history.")

    def handle(self, course, reissue, reason, **options):
        course_obj = Course.objects.filter(slug=course).first()
        if course_obj is None:
            raise CommandError(f"No course with slug '{course}'.")
        enrollment_ids = list(Enrollment.objects.filter(course=course_obj, status=Enrollment.Status.COMPLETED)
                              .order_by("id").values_list("id", flat=True))
        total, issued, reissued, skipped = len(enrollment_ids), 0, 0, 0
        for done, enrollment_id in enumerate(enrollment_ids, start=1):
            had = Certificate.objects.filter(enrollment_id=enrollment_id).first()
            certificate = certificate_services.certificate_issue(enrollment_id=enrollment_id)
            if certificate is None:
                skipped += 1
            elif had is None:
                certificate_services.certificate_render(certificate_id=certificate.pk)
                issued += 1
            elif reissue and certificate.status == Certificate.Status.VALID:
                certificate_services.certificate_reissue(certificate=certificate, actor=None, reason=reason)
                reissued += 1
            else:
                certificate_services.certificate_render(certificate_id=certificate.pk)
                skipped += 1
            self._progress(done, total)
        self.stderr.write("")
        self.stdout.write(self.style.SUCCESS(
            f"{course_obj.slug}: {total} completed enrollments, {issued} issued, {reissued} reissued, "
            f"{skipped} unchanged. Issue emails go out through the worker."))

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        self.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        self.stderr.flush()
