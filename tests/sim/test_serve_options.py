"""`gentui sim`'s options map onto SimOptions; bad values are refused before anything is served."""

from __future__ import annotations

import argparse

import pytest

from gentui.commands import sim as serve
from gentui.sim.options import SimOptions


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    serve.configure(parser)
    return parser.parse_args(list(argv))


def test_the_defaults_are_the_contracts() -> None:
    options = serve.options_from(_parse())
    assert options == SimOptions()
    assert (options.host, options.port, options.api_key, options.speed) == ("127.0.0.1", 8765, "sim-key", 1.0)
    assert (options.dialect, options.prefix, options.rows, options.quiet) == ("docs", "both", None, False)


def test_every_option_reaches_sim_options() -> None:
    args = _parse("--port", "9000", "--api-key", "k", "--speed", "0", "--seed", "4", "--dialect", "sdk",
                  "--prefix", "vidsheet", "--rows", "50", "--columns", "7", "--in-flight", "3", "--history", "2",
                  "--error-rate", "0.1", "--error-statuses", "502,503", "--rate-limit-rate", "0.2",
                  "--retry-after", "1.5", "--latency-ms", "20", "--spike-rate", "0.3", "--spike-ms", "900",
                  "--drop-rate", "0.05", "--malformed-rate", "0.01", "--quiet")
    o = serve.options_from(args)
    assert (o.port, o.api_key, o.speed, o.seed, o.dialect, o.prefix) == (9000, "k", 0.0, 4, "sdk", "vidsheet")
    assert (o.rows, o.columns, o.in_flight, o.history, o.quiet) == (50, 7, 3, 2, True)
    assert o.faults() == {"error_rate": 0.1, "error_statuses": (502, 503), "rate_limit_rate": 0.2, "retry_after": 1.5,
                          "latency_ms": 20, "spike_rate": 0.3, "spike_ms": 900, "drop_rate": 0.05,
                          "malformed_rate": 0.01, "compress": True}


def test_bad_values_are_refused_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve.run(_parse("--speed", "-1")) == 2
    assert "speed" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _parse("--dialect", "yaml")


def test_sim_options_validate_themselves() -> None:
    with pytest.raises(ValueError):
        SimOptions(prefix="v2")
    with pytest.raises(ValueError):
        SimOptions(rows=-1)


def test_the_simulator_never_imports_textual_or_the_clients_models() -> None:
    import subprocess
    import sys

    code = ("import sys, gentui.sim.app, gentui.sim.server, gentui.commands.sim, gentui.sim.testing; "
            "bad = [m for m in sys.modules if m.startswith('textual') or m in ('gentui.api.models', "
            "'gentui.api.client')]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
