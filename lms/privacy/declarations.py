"""The lms app's personal data: people, memberships, credentials, provisioning."""
