"""Markdown to safe HTML: the renderer, its inline gate, raw HTML sanitising."""
