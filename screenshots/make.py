"""Make the README's pictures from the demo: SVG always, PNG when cairosvg is installed.

    python screenshots/make.py            # writes screenshots/*.svg and *.png

The simulator's clock is advanced by hand so that the pictures show live work, and the UI's clock
is frozen so they are the same on every run.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.ui.conftest import World
from tests.ui.pilot import make_app, wait_for

SHOTS = HERE


async def main() -> None:
    from gentui.api import vocab
    from gentui.ui.widgets.grid import EngineGrid

    world = World()
    world.clock.advance(25)  # some generations done, some running
    app = make_app(world, demo=True)
    async with app.run_test(size=(160, 44)) as pilot:
        await wait_for(pilot, lambda: app.session is not None and app.session.state.loaded
                       and app.session.ledger.generic is not None, what="demo world")
        state = app.session.state
        video = next(i for i, c in enumerate(state.columns) if c.generation_type == vocab.VIDEO_FROM_TEXT)
        grid = app.screen.query_one(EngineGrid)
        grid.move_cursor(row=1, column=video + 1, animate=False)
        await pilot.pause(0.5)
        save(app, "main")
        await pilot.press("enter")
        await pilot.pause(0.3)
        save(app, "history")
        await pilot.press("escape", "e")
        await pilot.pause(0.5)
        save(app, "card-editor")
        await pilot.press("escape", "question_mark")
        await pilot.pause(0.3)
        save(app, "help")
    async with make_app(World(), demo=True).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: app.session is not None and app.session.state.loaded, what="demo")
        await pilot.pause(0.3)
        save(app, "main-80x24")


def save(app, name: str) -> None:
    svg = SHOTS / f"{name}.svg"
    app.save_screenshot(str(svg))
    try:
        import cairosvg
    except ImportError:
        print(f"wrote {svg} (install cairosvg for PNG)")
        return
    cairosvg.svg2png(url=str(svg), write_to=str(svg.with_suffix(".png")), output_width=1600)
    print(f"wrote {svg} and {svg.with_suffix('.png').name}")


if __name__ == "__main__":
    asyncio.run(main())
