"""gentui: a terminal cockpit for the GEN Auto Content Engine API."""

__version__ = "0.1.0"
