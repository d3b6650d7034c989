"""Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's live server."""
