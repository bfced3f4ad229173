"""The settings' defaults and the core's are the same values.

The core cannot import the settings (the layers, tests/test_layers.py) and the settings do not
import the core, so `Guards`, `PollPolicy`, `Launch` and `BatchRunner` carry their own defaults
for callers that pass none (tests, the simulator's tools, the benches). This test is what keeps
them equal to `Settings`: change one and it fails until the other follows.
"""

from __future__ import annotations

import inspect

from gentui.core.actions import Guards
from gentui.core.batch import BatchRunner
from gentui.core.poller import PollPolicy
from gentui.settings.schema import Settings
from gentui.ui.launch import Launch


def test_the_guards_defaults_are_the_settings_defaults() -> None:
    settings, guards = Settings(), Guards()
    for name in ("readonly", "confirm", "confirm_above", "spend_cap", "low_balance_warning"):
        assert getattr(guards, name) == getattr(settings, name), name


def test_the_poll_batch_and_notify_defaults_are_the_settings_defaults() -> None:
    settings, launch = Settings(), Launch()
    assert PollPolicy().interval == settings.poll_interval
    assert launch.batch_concurrency == settings.batch_concurrency
    assert inspect.signature(BatchRunner).parameters["concurrency"].default == settings.batch_concurrency
    assert launch.notify == settings.notify
    assert launch.mouse == settings.mouse
    assert launch.guards == Guards()
