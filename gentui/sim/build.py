"""Building blocks for seeded worlds: a `Builder` that adds engines, columns, rows, cells and past
generations deterministically, and the scaled N x M world of `--rows/--columns/--in-flight`.
"""

from __future__ import annotations

import random
import uuid
from decimal import Decimal
from typing import Any

from gentui.api import costs, vocab
from gentui.sim import cards
from gentui.sim.clock import SimTime
from gentui.sim.lifecycle import DURATIONS, FAILED_REASONS, complete_output, final_cost
from gentui.sim.model import COMPLETED, FAILED, STOPPED, Cell, Column, Engine, Generation, Row
from gentui.sim.world import World

HOUR, DAY = 3600.0, 86400.0

#: (title, column type, role, card type, column attributes) of the standard columns, in order
STANDARD_COLUMNS: list[tuple[str, str, str, str, dict[str, Any]]] = [
    ("SCRIPT", "text", "ingredient", vocab.TEXT, {"generation_type": "text", "model": "gemini_2_0_flash"}),
    ("VOICE", "audio", "ingredient", vocab.SPEECH_FROM_TEXT, {"generation_type": "speech_from_text"}),
    ("B-ROLL", "image", "ingredient", vocab.IMAGE_FROM_TEXT,
     {"generation_type": "image_from_text", "model": "gemini_image", "ratio": "9:16"}),
    ("VIDEO", "video", "video", vocab.VIDEO_FROM_TEXT,
     {"generation_type": "video_from_text", "model": "veo_3_1_fast", "ratio": "9:16", "duration": 8}),
    ("CAPTIONS", "text", "ingredient", vocab.CAPTIONS, {"generation_type": "captions", "model": "gemini"}),
]
FINAL_VIDEO: tuple[str, str, str, str, dict[str, Any]] = ("FINAL VIDEO", "video", "final_video", vocab.RENDER, {})
EXTRA_KINDS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("TEXT", "text", vocab.TEXT, {"generation_type": "text", "model": "gpt_4o_mini"}),
    ("IMAGE", "image", vocab.IMAGE_FROM_TEXT, {"generation_type": "image_from_text", "model": "midjourney", "ratio": "1:1"}),
    ("CLIP", "video", vocab.VIDEO_FROM_TEXT,
     {"generation_type": "video_from_text", "model": "seedance_pro", "ratio": "9:16", "duration": 5}),
]


def card_attributes(kind: str, topic: str, voice_resource: int = 0) -> dict[str, Any]:
    """A cell's card defaults (`additional_attributes`), including the simulator's stored card fields."""
    if kind == vocab.TEXT:
        return {"model": "gemini_2_0_flash", "textMode": "ai", "autoGenerate": False,
                "prompt": f"Write a 30-second vertical video script for {{{{brand_name}}}} about {topic}. "
                          "End with: {{cta}}"}
    if kind == vocab.SPEECH_FROM_TEXT:
        return {"autoGenerate": False, "voice_method": "my_voices", "voice_id": "21m00Tcm4TlvDq8ikWAM",
                "script": f"Here is the thing about {topic}."}
    if kind == vocab.IMAGE_FROM_TEXT:
        return {"model": "gemini_image", "ratio": "9:16", "autoGenerate": False,
                "prompt": f"Vertical b-roll photo: {topic}, warm morning light, shallow depth of field"}
    if kind in (vocab.VIDEO_FROM_TEXT, vocab.VIDEO_FROM_IMAGE, vocab.VIDEO_FROM_INGREDIENTS):
        return {"model": "veo_3_1_fast", "ratio": "9:16", "duration": 8, "autoGenerate": False,
                "prompt": f"Handheld vertical shot: {topic}, natural light, 8 seconds"}
    if kind == vocab.CAPTIONS:
        return {"model": "gemini", "autoGenerate": False, "source_resource_id": voice_resource or 15001}
    return {}


class Builder:
    """Adds things to a world with ids from the world's counters and randomness from one seeded RNG."""

    def __init__(self, world: World, rng: random.Random, time: SimTime) -> None:
        self.world = world
        self.rng = rng
        self.time = time
        self.now = time.clock.now()

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def engine(self, title: str, slug: str, variables: list[tuple[str, str]] | None = None,
               is_default: bool = False) -> Engine:
        created = self.now - 30 * DAY
        engine = Engine(self.world.next_id("engine"), self.world.agent_id, title, slug, self.uuid(), is_default,
                        created, self.now - 2 * HOUR)
        if variables is not None:
            engine.variables, engine.variables_id = list(variables), self.world.next_id("variables")
        self.world.engines[engine.id] = engine
        return engine

    def column(self, engine: Engine, title: str, type_: str, role: str, attrs: dict[str, Any],
               description: str = "") -> Column:
        column = Column(self.world.next_id("column"), engine.id, title, type_, role, description,
                        len(engine.column_ids) + 1, dict(attrs), engine.created_at, engine.created_at)
        self.world.columns[column.id] = column
        engine.column_ids.append(column.id)
        return column

    def row(self, engine: Engine) -> Row:
        row = Row(self.world.next_id("row"), engine.id, len(engine.row_ids) + 1, engine.created_at, engine.created_at)
        self.world.rows[row.id] = row
        engine.row_ids.append(row.id)
        return row

    def cell(self, row: Row, column: Column, attrs: dict[str, Any] | None = None, value: Any = None) -> Cell:
        cell = Cell(self.world.next_id("cell"), row.engine_id, row.id, column.id, column.role, value,
                    dict(attrs or {}), row.created_at, row.created_at)
        self.world.cells[cell.id] = cell
        row.cell_ids.append(cell.id)
        return cell

    def past(self, cell: Cell, kind: str, model: str | None, data: dict[str, Any], status: str, age: float,
             *, result: Any = None, reason: str | None = None) -> Generation:
        """A finished generation from before the simulator started (not part of the session's ledger).

        It took as long as this server's lifecycle takes now (the durations at the starting speed),
        so a client learning from an engine's history learns this server's pace.
        """
        gid = self.world.next_id("generation")
        low, high = DURATIONS.get(kind, (5.0, 15.0))
        created = self.now - age
        precharge = costs.estimate(kind, model, data.get("duration"), data).credits
        took = self.rng.uniform(low, high) / (self.time.speed or 1.0)
        gen = Generation(gid, cell.engine_id, cell.id, kind, model, data, status, created, created + took, precharge)
        gen.factor = Decimal(self.rng.randint(80, 120)) / 100
        if status == COMPLETED:
            made, gen.outputs = complete_output(gid, kind, data)
            gen.result = result if result is not None else made
            gen.final_cost = gen.held = final_cost(precharge, gen.factor)
        elif status == FAILED:
            gen.fails = True
            gen.failed_reason = reason or self.rng.choice(FAILED_REASONS)
        self.world.add_generation(gen, cell)
        cell.updated_at = max(cell.updated_at, gen.updated_at)
        return gen

    def card_of(self, cell: Cell) -> tuple[str, str | None, dict[str, Any], Decimal]:
        """(kind, model, expanded data, pre-charge) of the cell's stored card; renders for final videos."""
        if cell.role == "final_video":
            return vocab.RENDER, None, {}, costs.estimate(vocab.RENDER).credits
        column = self.world.columns[cell.column_id]
        variables = self.world.variables(self.world.engines[cell.engine_id])
        resolved = cards.resolve({}, cell, column, None, variables)
        return resolved.kind, resolved.model, resolved.data, resolved.precharge

    def running(self, cell: Cell, elapsed: float) -> Generation:
        """A generation already in flight at start: its pre-charge is already held."""
        kind, model, data, precharge = self.card_of(cell)
        return self.world.create(cell, kind, model, data, precharge, self.time, charge=False, elapsed=elapsed)


def scaled_columns(count: int) -> list[tuple[str, str, str, str, dict[str, Any]]]:
    """`count` columns: the standard ones first, extra ingredient columns, FINAL VIDEO last."""
    if count <= 0:
        return []
    if count == 1:
        return STANDARD_COLUMNS[:1]
    body = list(STANDARD_COLUMNS[: count - 1])
    n = 2
    while len(body) < count - 1:
        for title, type_, kind, attrs in EXTRA_KINDS:
            if len(body) < count - 1:
                body.append((f"{title} {n}", type_, "ingredient", kind, attrs))
        n += 1
    return [*body, FINAL_VIDEO]


def build_scaled(b: Builder, rows: int, columns: int, in_flight: int, history: int | None) -> Engine:
    """An N x M engine with 0-10 (or exactly `history`) past generations per cell and K running."""
    rng, world = b.rng, b.world
    engine = b.engine(f"Scaled engine {rows}x{columns}", f"scaled-{rows}x{columns}",
                      [("brand_name", "Northwind Coffee"), ("cta", "Try it free this week")], is_default=True)
    specs = scaled_columns(columns)
    made = [(b.column(engine, title, type_, role, attrs), kind) for title, type_, role, kind, attrs in specs]
    statuses = [COMPLETED] * 7 + [FAILED, FAILED, STOPPED]
    for r in range(rows):
        row = b.row(engine)
        topic = f"idea #{r + 1}"
        for column, kind in made:
            attrs = card_attributes(kind, topic)
            attrs.update({k: v for k, v in column.additional_attributes.items() if k in ("model", "ratio", "duration")})
            cell = b.cell(row, column, attrs)
            n = history if history is not None else rng.randint(0, 10)
            if not n:
                continue
            data: dict[str, Any]
            if kind == vocab.RENDER:
                k, model, data = vocab.RENDER, None, {}
            else:
                k, model, data, _ = b.card_of(cell)
            for i in range(n):
                b.past(cell, k, model, data, rng.choice(statuses), (n - i) * HOUR + rng.uniform(0, 600))
            world.refresh_display(cell)
    cells = [cid for rid in engine.row_ids for cid in world.rows[rid].cell_ids]
    for cid in sorted(rng.sample(cells, min(in_flight, len(cells)))):
        b.running(world.cells[cid], rng.uniform(0.0, 10.0))
    return engine
