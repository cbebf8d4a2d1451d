"""Certificates: issuing on completion, the PDF, signed Open Badges credentials, public verification,
revoke and reissue."""
