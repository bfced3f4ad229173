"""`gentui sim`: serve the simulator over HTTP and print shell-ready variables (CONTRACTS.md section 4).

    $ gentui sim --speed 2
    export GEN_API_BASE_URL=http://127.0.0.1:8765/v1
    export GEN_API_KEY=sim-key
    export GENTUI_AGENT_ID=42
    export GENTUI_ENGINE_ID=101

`eval "$(gentui sim ... | head -4)"` or `--env-file PATH` (written 0600: it holds the key) then `. PATH`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import sys
from pathlib import Path

from gentui.sim.options import DIALECTS, PREFIXES, SimOptions


def _statuses(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of status codes: {text!r}") from None


def configure(parser: argparse.ArgumentParser) -> None:
    d = SimOptions()
    parser.add_argument("--host", default=d.host, help="address to listen on (default %(default)s)")
    parser.add_argument("--port", type=int, default=d.port, help="port (default %(default)s; 0 = any free port)")
    parser.add_argument("--api-key", dest="api_key", default=d.api_key, help="the key clients must send")
    parser.add_argument("--speed", type=float, default=d.speed, help="lifecycle speed (0 freezes)")
    parser.add_argument("--seed", type=int, default=d.seed, help="world seed")
    parser.add_argument("--dialect", choices=DIALECTS, default=d.dialect, help="JSON spelling")
    parser.add_argument("--prefix", choices=PREFIXES, default=d.prefix, help="engine path prefix(es) served")
    parser.add_argument("--rows", type=int, help="rows of a scaled first engine (default: the demo world)")
    parser.add_argument("--columns", type=int, help="columns of a scaled first engine")
    parser.add_argument("--in-flight", dest="in_flight", type=int, help="generations running at start")
    parser.add_argument("--history", type=int, help="past generations per cell of a scaled engine (default 0-10)")
    parser.add_argument("--quiet", action="store_true", help="nothing running at start")
    parser.add_argument("--no-compress", dest="compress", action="store_false", default=None,
                        help="never gzip answers (by default answers over 1 KB are, when the client asks)")
    parser.add_argument("--env-file", dest="env_file", metavar="PATH",
                        help="also write the export lines to PATH (mode 0600: it holds the key)")
    faults = parser.add_argument_group("faults (also settable at run time: POST /_sim/faults)")
    faults.add_argument("--error-rate", dest="error_rate", type=float, default=d.error_rate,
                        help="share of requests answered with an error status (0-1)")
    faults.add_argument("--error-statuses", dest="error_statuses", type=_statuses, default=d.error_statuses,
                        help="comma separated, default 500,502,503")
    faults.add_argument("--rate-limit-rate", dest="rate_limit_rate", type=float, default=d.rate_limit_rate,
                        help="share of requests answered 429 (0-1)")
    faults.add_argument("--retry-after", dest="retry_after", type=float, default=d.retry_after,
                        help="Retry-After seconds on a 429 (none by default)")
    faults.add_argument("--latency-ms", dest="latency_ms", type=int, default=d.latency_ms,
                        help="delay added to every answer, in ms")
    faults.add_argument("--spike-rate", dest="spike_rate", type=float, default=d.spike_rate,
                        help="share of answers delayed by --spike-ms (0-1)")
    faults.add_argument("--spike-ms", dest="spike_ms", type=int, default=d.spike_ms,
                        help="the delay of a spike, in ms")
    faults.add_argument("--drop-rate", dest="drop_rate", type=float, default=d.drop_rate,
                        help="share of connections dropped without an answer (0-1)")
    faults.add_argument("--malformed-rate", dest="malformed_rate", type=float, default=d.malformed_rate,
                        help="share of answers with a broken JSON body (0-1)")


def options_from(args: argparse.Namespace) -> SimOptions:
    names = ("host", "port", "api_key", "speed", "seed", "dialect", "prefix", "rows", "columns", "in_flight",
             "history", "quiet", "error_rate", "error_statuses", "rate_limit_rate", "retry_after", "latency_ms",
             "spike_rate", "spike_ms", "drop_rate", "malformed_rate", "compress")
    return SimOptions(**{n: getattr(args, n) for n in names if getattr(args, n, None) is not None})


MISSING_EXTRA = "gentui sim needs the sim extra: pip install 'gentui[sim]'"


def export_lines(base_url: str, info: dict) -> list[str]:
    """The shell-ready lines (CONTRACTS.md section 4), each value quoted for the shell."""
    values = (("GEN_API_BASE_URL", base_url), ("GEN_API_KEY", info["api_key"]),
              ("GENTUI_AGENT_ID", info["agent_id"]), ("GENTUI_ENGINE_ID", info["engine_ids"][0]))
    return [f"export {name}={shlex.quote(str(value))}" for name, value in values]


def write_env_file(path: str, lines: list[str]) -> None:
    """The lines to `path`, created 0600 (and made 0600 if it existed: it holds the key)."""
    target = Path(path).expanduser()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with contextlib.suppress(OSError):
        os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


def run(args: argparse.Namespace) -> int:
    """Build the simulator, bind, print the four lines, serve until interrupted."""
    try:
        from gentui.sim.app import create_app
        from gentui.sim.server import bind, quiet_drop_logs, uvicorn_server
    except ImportError as exc:
        if exc.name in ("uvicorn", "starlette") or "uvicorn" in str(exc) or "starlette" in str(exc):
            print(MISSING_EXTRA, file=sys.stderr)
            return 2
        raise

    try:
        options = options_from(args)
    except ValueError as exc:
        print(f"gentui sim: {exc}", file=sys.stderr)
        return 2
    app = create_app(options)
    sim = app.state.sim
    sim.real_http = True
    try:
        sock = bind(options.host, options.port)
    except OSError as exc:
        print(f"gentui sim: cannot listen on {options.host}:{options.port}: {exc}", file=sys.stderr)
        return 5
    port = sock.getsockname()[1]
    host = f"[{options.host}]" if ":" in options.host else options.host
    lines = export_lines(f"http://{host}:{port}/v1", sim.world_info())
    if getattr(args, "env_file", None):
        try:
            write_env_file(args.env_file, lines)
        except OSError as exc:
            sock.close()
            print(f"gentui sim: cannot write {args.env_file}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    print("\n".join(lines), flush=True)
    quiet_drop_logs()
    uvicorn_server(app).run(sockets=[sock])
    return 0
