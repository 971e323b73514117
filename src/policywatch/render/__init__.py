"""Renderers: the only code, with cli.py, that prints."""
