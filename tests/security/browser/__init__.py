"""Real-browser XSS tests (headless Chromium through selenium); see test_browser_xss.py."""
