"""The organization that issued a certificate, recorded on it (filled in for existing certificates by 0028)."""
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    dependencies = [
        ("courses", "0026_reminder_sweep_marks"),
        ("lms", "0006_privacy_erasure"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="issuer",
            field=models.ForeignKey(
                blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL,
                related_name="+", to="lms.organization",
                help_text="The organization that issued it (the course's, else the learner's at issue), kept when "
                          "the enrollment later leaves the organization, as an erasure makes it; empty for the public "
                          "catalog's own certificates."),
        ),
    ]
