"""Residents report by QR code (issue 5): codes, posters, the public pages, tracking."""
