"""A hostile engine for tests: every string the UI shows, taken from a corpus of nasty strings.

`add_hostile_engine(sim, corpus)` adds one engine to a simulator's world (and renames the
organization) where every title, value, prompt, result, failure reason, output URL and model name is
hostile: markup, ANSI and OSC sequences, control characters, 1 MB strings, wide, combining and
right-to-left text, nulls where strings are expected, numbers as strings, unknown statuses and
generation types. The corpus is `tests/data/hostile.json` (`{"strings": {name: text}, ...}`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from gentui.sim.build import DAY, HOUR
from gentui.sim.model import COMPLETED, FAILED, STOPPED, Cell, Column, Engine, Generation, Row

if TYPE_CHECKING:
    from gentui.sim.simulator import Simulator


def _big(corpus: dict[str, Any]) -> str:
    size = max(corpus.get("big_lengths") or [1_000_000])
    unit = "[/]\x1b]52;c;QUJD\x07" + "\u202e" + "\x9b2J" + "生"
    return (unit * (size // len(unit) + 1))[:size]


def add_hostile_engine(sim: Simulator, corpus: dict[str, Any]) -> int:
    """Add the hostile engine; returns its id. Also gives the organization and agent hostile names."""
    world = sim.world
    strings: dict[str, str] = dict(corpus["strings"])
    strings["one_megabyte"] = _big(corpus)
    odd_values: list[Any] = list(corpus.get("odd_values", [None, 42, "42.50", True, [], {}]))
    statuses: list[str] = list(corpus.get("unknown_statuses", ["exploded"]))
    types: list[str] = list(corpus.get("unknown_generation_types", ["hologram_from_thought"]))
    models: list[str] = list(corpus.get("models", ["[/]"]))
    now = sim.clock.now()
    names = list(strings.values())
    mixed = " ".join(strings[k] for k in ("markup_close", "ansi_sgr", "osc_title", "rtl_override", "wide_cjk")
                     if k in strings)
    assert world.organization is not None and world.agent is not None
    world.organization.name = mixed
    world.agent.name = mixed

    engine = Engine(world.next_id("engine"), world.agent_id, mixed + strings["osc52_clipboard"], "hostile", "0" * 32,
                    False, now - DAY, now - HOUR)
    world.engines[engine.id] = engine
    specs: list[tuple[str, str, str, dict[str, Any]]] = [  # (title, column type, role, column attributes)
        (mixed, "text", "ingredient", {"generation_type": "text", "model": models[0]}),
        (strings["osc52_clipboard"] + strings["c1_csi"], "image", "ingredient",
         {"generation_type": "image_from_text", "model": "midjourney", "ratio": "1:1"}),
        (strings["one_megabyte"], "video", "video", {"generation_type": "video_from_text", "model": "veo_3_1_fast"}),
        (strings["markup_click"], "hologram", "ingredient", {"generation_type": types[0], "model": models[-1]}),
    ]
    columns = []
    for position, (title, type_, role, attrs) in enumerate(specs, 1):
        column = Column(world.next_id("column"), engine.id, title, type_, role, strings["bell_backspace"], position,
                        dict(attrs), now - DAY, now - DAY)
        world.columns[column.id] = column
        engine.column_ids.append(column.id)
        columns.append(column)

    def gen(cell: Cell, kind: str, model: Any, status: str, age: float, **extra: Any) -> Generation:
        made = Generation(world.next_id("generation"), engine.id, cell.id, kind, model, {"prompt": extra.pop("prompt", "")},
                          status, now - age, now - age + 30, Decimal("1.00"), **extra)
        if status == COMPLETED:
            made.final_cost = made.held = Decimal("1.00")
        world.add_generation(made, cell)
        return made

    items = list(strings.items())
    for r, (name, text) in enumerate(items):
        row = Row(world.next_id("row"), engine.id, r + 1, now - DAY, now - DAY)
        world.rows[row.id] = row
        engine.row_ids.append(row.id)
        odd = odd_values[r % len(odd_values)]
        for c, column in enumerate(columns):
            heavy = name == "one_megabyte" and c > 0  # 1 MB once per field kind is enough: keep the engine small
            text = strings["markup_close"] if heavy else strings[name]
            value: Any = text if c in (0, 1) else (odd if c == 2 else names[(r + 1) % len(names)])
            model = models[r % len(models)] if c != 1 else text
            attrs = {"model": model, "prompt": text, "ratio": text if c == 1 else "9:16", "autoGenerate": False}
            cell = Cell(world.next_id("cell"), engine.id, row.id, column.id, column.role, value, attrs,
                        now - DAY, now - DAY)
            world.cells[cell.id] = cell
            row.cell_ids.append(cell.id)
            kind = ("text", "image_from_text", "video_from_text", types[r % len(types)])[c]
            gen(cell, kind, model, FAILED, 6 * HOUR, failed_reason=text, fails=True, prompt=text)
            gen(cell, types[(r + c) % len(types)], odd if isinstance(odd, str) else None,
                statuses[(r + c) % len(statuses)], 5 * HOUR, prompt=text)
            gen(cell, kind, model, STOPPED, 4 * HOUR, prompt=text)
            url = f"https://cdn.example/{strings[name] if c == 1 else text}" if c else text
            shown = gen(cell, kind, model, COMPLETED, 3 * HOUR, prompt=text,
                        result=text if c == 0 else (odd if c == 2 else None),
                        resources=[] if c == 0 else [{"id": 1, "url": url, "thumbnail_url": text,
                                                      "object_type": text, "type": "output"}])
            cell.displayed = shown.id
            cell.rev += 1
    return engine.id
