"""The privacy API, one module per part (URLs in lms/privacy/urls_api.py)."""
