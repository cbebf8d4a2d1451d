"""The privacy pages, one module per part (URLs in lms/privacy/urls_pages.py)."""
