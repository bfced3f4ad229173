"""The core install runs the in-process demo; `gentui serve` without its extra says which to install
(issue 15 item 21). The extras' modules are hidden by a meta-path hook in a fresh interpreter, the way
they are missing from a core install."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXTRAS_MODULES = ("uvicorn", "textual_serve", "aiohttp", "aiohttp_jinja2")

BLOCK = f"""
import importlib.abc, sys
BLOCKED = {EXTRAS_MODULES!r}
class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (blocked: not in the core install)", name=name)
        return None
sys.meta_path.insert(0, Missing())
for name in list(sys.modules):
    if name.split(".")[0] in BLOCKED:
        del sys.modules[name]
"""


def run_without_extras(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "c"),
           "XDG_STATE_HOME": str(tmp_path / "s"), "XDG_DATA_HOME": str(tmp_path / "d"),
           "XDG_CACHE_HOME": str(tmp_path / "k"), "TMPDIR": str(tmp_path)}
    return subprocess.run([sys.executable, "-c", BLOCK + code], capture_output=True, text=True, env=env,
                          timeout=120, cwd=ROOT)


def test_the_block_really_blocks(tmp_path: Path) -> None:
    out = run_without_extras("import uvicorn\n", tmp_path)
    assert out.returncode == 1 and "blocked: not in the core install" in out.stderr


def test_the_demo_runs_on_the_core_install(tmp_path: Path) -> None:
    """The whole demo path: the command line, the launch, the app's modules, and a first request that
    builds the in-process simulator and reads the demo engine."""
    code = (
        "import asyncio, argparse, json\n"
        "import gentui.cli, gentui.ui.app\n"
        "from gentui.commands.cockpit import build_launch\n"
        "launch = build_launch(argparse.Namespace(demo=True))\n"
        "client = launch.client_factory()\n"
        "async def main():\n"
        "    async with client:\n"
        "        engine = await client.get_engine(launch.agent_id, launch.engine_id)\n"
        "        return len(engine.rows)\n"
        "rows = asyncio.run(main())\n"
        "print(json.dumps([rows, sorted(m for m in sys.modules if m.split('.')[0] in BLOCKED)]))\n"
    )
    out = run_without_extras(code, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    rows, loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert rows > 0 and loaded == []


def test_serve_without_its_extra_says_which_extra_in_one_line(tmp_path: Path) -> None:
    out = run_without_extras("import sys\nfrom gentui.cli import main\nsys.exit(main(['serve', '--demo']))\n",
                             tmp_path)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == "gentui serve needs the serve extra: pip install 'gentui[serve]'\n"


def test_the_extras_are_out_of_the_core_and_in_the_test_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = " ".join(project["dependencies"])
    assert not any(name in core for name in ("uvicorn", "textual-serve", "aiohttp"))
    extras = project["optional-dependencies"]
    assert any(d.startswith("textual-serve") for d in extras["serve"])
    assert any(d.startswith("uvicorn") for d in extras["sim"])
    assert "gentui[serve,sim]" in extras["test"] and any(d.startswith("pytest-xdist") for d in extras["test"])
    assert "textual~=8.2.8" in project["dependencies"]
    constraints = (ROOT / "constraints" / "test.txt").read_text().splitlines()
    assert "textual==8.2.8" in constraints


def test_the_package_is_typed_and_licensed() -> None:
    assert (ROOT / "gentui" / "py.typed").exists()
    license_text = (ROOT / "LICENSE").read_text()
    assert license_text.startswith("MIT License") and "gentui developers" in license_text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and "Typing :: Typed" in project["classifiers"]
    assert project["urls"]["Homepage"].startswith("https://")


def test_readme_and_ci_run_the_same_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    install = "pip install -e '.[test]' -c constraints/test.txt"
    assert install in readme and install in ci
    test_command = next(line.strip() for line in ci.splitlines() if line.strip().startswith("pytest"))
    assert "-n auto" in test_command and test_command in readme
