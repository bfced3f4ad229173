"""Textual only: the app, screens, widgets and styles."""
