"""Fixtures for the UI tests (the helpers they use live in `tests/ui/pilot.py`)."""

from __future__ import annotations

import pytest

from .pilot import World


@pytest.fixture
def quiet_world() -> World:
    return World(quiet=True)


@pytest.fixture
def demo_world() -> World:
    return World()
