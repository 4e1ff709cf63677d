"""End-to-end tests: the system Chromium, driven by Playwright, against pytest-django's live server."""
