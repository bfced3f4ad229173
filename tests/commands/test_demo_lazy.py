"""`gentui --demo` paints before the simulator exists: it is imported and built on the first request."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from gentui.sim.app import create_app
from gentui.sim.lazy import LazySimTransport
from gentui.sim.options import SimOptions
from gentui.sim.seed import demo_ids


def test_building_the_demo_launch_imports_neither_the_simulator_nor_the_http_stack(tmp_path) -> None:
    code = (
        "import sys, argparse, json\n"
        "from gentui.commands.cockpit import build_launch\n"
        "launch = build_launch(argparse.Namespace(demo=True))\n"
        "print(json.dumps([launch.agent_id, launch.engine_id,\n"
        "                  sorted(m for m in sys.modules\n"
        "                         if m.startswith(('starlette', 'uvicorn', 'httpx', 'gentui.sim.app', 'gentui.api.client')))]))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "c"),
           "XDG_STATE_HOME": str(tmp_path / "s"), "XDG_DATA_HOME": str(tmp_path / "d")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60, check=True)
    agent, engine, heavy = json.loads(out.stdout.strip().splitlines()[-1])
    info = create_app(SimOptions()).state.sim.world_info()
    assert (agent, engine) == (str(info["agent_id"]), str(info["engine_ids"][0]))
    assert heavy == []


def test_the_lazy_transport_builds_the_simulator_once_and_answers_like_it() -> None:
    options = SimOptions(dialect="sdk", seed=5)
    agent, engine = demo_ids(options)
    transport = LazySimTransport(options)
    assert transport.app is None

    async def main() -> list[int]:
        import httpx

        async with httpx.AsyncClient(transport=transport, base_url="http://demo.sim") as http:
            headers = {"X-API-Key": options.api_key}
            answers = await asyncio.gather(*(http.get(f"/v1/vidsheet/{engine}", params={"agent_id": agent},
                                                      headers=headers) for _ in range(3)))
            return [a.status_code for a in answers]

    assert asyncio.run(main()) == [200, 200, 200]
    stats = transport.app.state.sim.stats
    assert sum(stats.requests.values()) == 3  # one simulator served all three (built once, under the lock)


def test_the_demos_throwaway_files_are_removed_when_it_ends(tmp_path) -> None:
    code = (
        "from gentui.settings.paths import Paths\n"
        "paths = Paths.temporary()\n"
        "paths.journal.parent.mkdir(parents=True)\n"
        "paths.journal.write_text('x')\n"
        "print(paths.journal)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True,
                         env={"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)})
    journal = Path(out.stdout.strip())
    assert journal.is_relative_to(tmp_path)  # it was written there while the process ran
    assert list(tmp_path.iterdir()) == []  # and nothing of it is left
