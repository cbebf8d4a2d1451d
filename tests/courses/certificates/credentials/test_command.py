import io
import stat

from django.core.management import call_command

from courses.certificates.credentials import keys


def run(*args) -> str:
    out = io.StringIO()
    call_command("credential_keys", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_generate_and_list(keys_dir):
    assert run("list") == ""
    first = run("generate").strip()
    second = run("generate").strip()
    assert keys.active_key_id() == second
    assert stat.S_IMODE((keys_dir / f"{first}.pem").stat().st_mode) == 0o600
    listed = run("list").splitlines()
    assert len(listed) == 2
    assert any(line.startswith(f"* {second}") for line in listed)
    assert any(line.startswith(f"  {first}") for line in listed)
