"""The machinery behind `gentui.config`: paths, the settings schema, files, loading, app state.

Import from `gentui.config`; the modules here are its implementation and may move.
"""
