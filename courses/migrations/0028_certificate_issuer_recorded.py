"""The organization that issued a certificate, recorded on it.

Existing certificates take the course's organization, else their enrollment's. A certificate whose enrollment
already left its organization (its learner was erased) takes the one organization whose name it was issued
under, when exactly one has that name; otherwise it stays empty and keeps its printed issuer name.
"""
from django.db import migrations
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def record_issuers(apps, schema_editor):
    Certificate = apps.get_model("courses", "Certificate")
    Enrollment = apps.get_model("courses", "Enrollment")
    Organization = apps.get_model("lms", "Organization")
    enrollment = Enrollment.objects.filter(pk=OuterRef("enrollment_id"))
    Certificate.objects.update(issuer_id=Coalesce(
        Subquery(enrollment.values("course__organization_id")[:1]),
        Subquery(enrollment.values("organization_id")[:1])))
    unique_names = (Organization.objects.values("name").annotate(n=Count("pk")).filter(n=1)
                    .values_list("name", flat=True))
    by_name = dict(Organization.objects.filter(name__in=list(unique_names)).values_list("name", "pk"))
    for certificate in Certificate.objects.filter(issuer__isnull=True, issuer_name__in=list(by_name)).only(
            "pk", "issuer_name"):
        Certificate.objects.filter(pk=certificate.pk).update(issuer_id=by_name[certificate.issuer_name])


class Migration(migrations.Migration):
    """Its own migration: on PostgreSQL the new column's index is built when 0027 ends, which cannot happen in a
    transaction that has already written rows the column's foreign key checks."""

    dependencies = [
        ("courses", "0027_certificate_issuer"),
    ]

    operations = [
        migrations.RunPython(record_issuers, migrations.RunPython.noop),
    ]
