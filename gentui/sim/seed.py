"""The seeded demo world: "Demo Studio", one agent, a 14-row main engine and a small second one.

The main engine's MOTION column (`video_from_image`, before FINAL VIDEO) starts each row from the
row's B-ROLL image (`image_resource_id` = that cell's displayed output id); it is built after the
second engine so every older id is unchanged. The agent's content library holds a voice sample per
row (ids 15001 + row, the captions' `source_resource_id`), a logo, a product shot and a brand intro.

The data is realistic and deliberately hostile to careless rendering: a prompt with `[/]` and
`[@click=app.quit]`, an engine and a column title with an ANSI escape, a failure reason with
`[bold]markup[/bold]`, a value with wide and combining characters. Same seed, same world.
"""

from __future__ import annotations

import random
from decimal import Decimal

from gentui.api import vocab
from gentui.sim.build import DAY, FINAL_VIDEO, HOUR, STANDARD_COLUMNS, Builder, build_scaled, card_attributes
from gentui.sim.clock import SimTime, WallClock
from gentui.sim.ledger import CreditLedger
from gentui.sim.lifecycle import FAILED_REASONS
from gentui.sim.model import COMPLETED, FAILED, STOPPED, Agent, Cell, Engine, Organization, Upload
from gentui.sim.options import SimOptions
from gentui.sim.world import World

START_GENERIC, START_AURA = Decimal("5000.00"), Decimal("250.00")
HOSTILE_PROMPT = ("List 3 caffeine myths [/] and bust each in one line for {{audience}}. "
                  "Never write [@click=app.quit] literally.")
HOSTILE_REASON = FAILED_REASONS[-1]  # contains [bold]markup[/bold]
ANSI_ENGINE_TITLE = "\x1b[31mFlash Sale\x1b[0m Promos"
ANSI_COLUMN_TITLE = "\x1b[31mHERO\x1b[0m IMAGE"
WIDE_VALUE = "Cafe\u0301 crawl in 東京: five cafés, one tonic ☕ — ready?"

VARIABLES = [
    ("brand_name", "Northwind Coffee"),
    ("product", "Cold Brew Tonic"),
    ("audience", "night-shift nurses"),
    ("cta", "Try it free this week"),
]

TOPICS = [
    "the 6 a.m. pour-over ritual",
    "behind the roast: 14 minutes at 212 °C",
    "3 caffeine myths",
    "a night-shift survival kit",
    "customer story: Aisha, ER nurse",
    "cold brew in 60 seconds",
    "unboxing the tonic",
    "a barista reacts to your orders",
    "why we source from Huila",
    "café crawl: 東京 edition",
    "pairing cold brew with pastries",
    "our sustainability promise",
    "limited drop countdown",
    "FAQ speed round",
]

SCRIPTS = [
    "HOOK: 6 a.m., kettle on. BODY: Bloom for 30 seconds, pour in circles. CTA: Try it free this week.",
    "HOOK: 212 degrees, 14 minutes. BODY: That's where the chocolate notes come from. CTA: Taste it.",
    "HOOK: Coffee dehydrates you? Myth. BODY: Three myths, three facts. CTA: Share with a skeptic.",
    "HOOK: 3 a.m. and still going. BODY: Snacks, socks, cold brew. CTA: Built for the night shift.",
    "HOOK: Aisha works nights in the ER. BODY: Her 2 a.m. ritual takes 40 seconds. CTA: Join her.",
    "HOOK: Cold brew in 60 seconds? BODY: Shake, pour, ice, done. CTA: Try it free this week.",
    "HOOK: What's in the box? BODY: Four cans, one opener, zero excuses. CTA: Unbox yours.",
    "HOOK: Your orders, rated. BODY: Oat flat white: respect. Seven pumps: we need to talk.",
    "HOOK: Why Huila? BODY: Altitude, rain and the Ramírez family. CTA: Meet the farm.",
    WIDE_VALUE,
    "HOOK: Croissant or cold brew? BODY: Both, and here's why. CTA: Find your pairing.",
    "HOOK: Every can is recyclable. BODY: Every bean is traceable. CTA: Read the promise.",
]

#: (row, column title, seconds already running) of the generations in flight at start
IN_FLIGHT = [
    (0, "SCRIPT", 1.0), (1, "B-ROLL", 4.0), (5, "SCRIPT", 0.0), (2, "VOICE", 3.0), (3, "CAPTIONS", 5.0),
    (1, "VIDEO", 25.0), (11, "SCRIPT", 0.5), (6, "B-ROLL", 0.0), (7, "VIDEO", 0.0), (0, "FINAL VIDEO", 8.0),
    (8, "SCRIPT", 0.0), (9, "B-ROLL", 1.0), (10, "VOICE", 0.0), (4, "VIDEO", 12.0), (12, "SCRIPT", 0.0),
]
DEFAULT_IN_FLIGHT = 10

#: the image-to-video column of the demo engine, fed by the row's B-ROLL image (built last: older ids stay)
MOTION_TITLE = "MOTION"
MOTION_ATTRS = {"generation_type": "video_from_image", "model": "kling_2_6", "ratio": "9:16", "duration": 5}
#: rows (0-based) whose MOTION cell has past takes: an older 5 s take and a newer one, or one take
MOTION_TAKES = {0: 2, 2: 2, 3: 2, 4: 1, 5: 1}
#: the library ids the demo agent already has (voice samples 15001 + row, the captions' sources)
VOICE_SAMPLE_BASE = 15001
LIBRARY_EXTRAS = [(15101, "image", "northwind-logo.png", "image/png"),
                  (15102, "image", "cold-brew-can.png", "image/png"),
                  (15103, "video", "brand-intro.mp4", "video/mp4")]


def _history(b: Builder, cell: Cell, row: int, title: str) -> None:
    """Past generations of one demo cell: some older failed or stopped takes, the newest mostly completed."""
    if row >= 12:
        return
    kind, model, data, _ = b.card_of(cell)
    if kind == vocab.RENDER and row > 6:
        return
    rng = b.rng
    older = rng.choice([[], [], [FAILED], [STOPPED], [COMPLETED], [FAILED, COMPLETED]])
    newest, reason = COMPLETED, None
    if (row, title) == (4, "CAPTIONS"):
        newest, reason = FAILED, HOSTILE_REASON
    elif (row, title) == (1, "VIDEO"):
        older, newest = [COMPLETED], STOPPED
    elif (row, title) in ((6, "B-ROLL"), (6, "FINAL VIDEO")):
        newest = FAILED
    statuses = [*older, newest]
    for i, status in enumerate(statuses):
        age = (len(statuses) - i) * 6 * HOUR + (14 - row) * HOUR + rng.uniform(0, 1800)
        result = SCRIPTS[row] if kind == vocab.TEXT and i == len(statuses) - 1 else None
        b.past(cell, kind, model, data, status, age, result=result, reason=reason if i == len(statuses) - 1 else None)
    b.world.refresh_display(cell)


def build_main(b: Builder, in_flight: int) -> Engine:
    engine = b.engine("Spring Launch Shorts", "spring-launch-shorts", VARIABLES, is_default=True)
    specs = [*STANDARD_COLUMNS, FINAL_VIDEO]
    columns = [(b.column(engine, title, type_, role, attrs), kind) for title, type_, role, kind, attrs in specs]
    grid: dict[tuple[int, str], Cell] = {}
    for r, topic in enumerate(TOPICS):
        row = b.row(engine)
        for column, kind in columns:
            attrs = card_attributes(kind, topic, voice_resource=15001 + r)
            if (r, column.title) == (2, "SCRIPT"):
                attrs["prompt"] = HOSTILE_PROMPT
            value = "Drop day: 48 hours only." if (r, column.title) == (12, "SCRIPT") else None
            cell = b.cell(row, column, attrs, value)
            grid[(r, column.title)] = cell
            _history(b, cell, r, column.title)
    for r, title, elapsed in IN_FLIGHT[:in_flight]:
        b.running(grid[(r, title)], elapsed)
    return engine


def build_second(b: Builder) -> Engine:
    engine = b.engine(ANSI_ENGINE_TITLE, "flash-sale-promos")
    headline = b.column(engine, "HEADLINE", "text", "ingredient", {"generation_type": "text", "model": "gpt_4o_mini"})
    hero = b.column(engine, ANSI_COLUMN_TITLE, "image", "ingredient",
                    {"generation_type": "image_from_text", "model": "midjourney", "ratio": "1:1"})
    final = b.column(engine, *FINAL_VIDEO[:3], {})
    for r, item in enumerate(["tonic 4-pack", "travel mug", "gift card", "beans 1 kg"]):
        row = b.row(engine)
        text = b.cell(row, headline, {"model": "gpt_4o_mini", "prompt": f"A 6-word sale headline for the {item}"})
        image = b.cell(row, hero, {"model": "midjourney", "ratio": "1:1", "prompt": f"Studio shot of the {item}, red"})
        b.cell(row, final)
        if r < 3:
            b.past(text, vocab.TEXT, "gpt_4o_mini", b.card_of(text)[2], COMPLETED, DAY + r * HOUR,
                   result=f"48 hours: the {item}, 30% off.")
            b.past(image, vocab.IMAGE_FROM_TEXT, "midjourney", b.card_of(image)[2], COMPLETED if r else FAILED,
                   DAY + r * HOUR)
            b.world.refresh_display(text)
            b.world.refresh_display(image)
    return engine


def seed_library(world: World, now: float, voice_samples: int) -> None:
    """The content library the agent already has: a voice sample per row (the captions' sources),
    a logo, a product shot and a brand intro; their media are drawn from the seed."""
    for r in range(voice_samples):
        rid = VOICE_SAMPLE_BASE + r
        world.uploads[rid] = Upload(rid, "audio", f"voice-sample-row-{r + 1}.mp3", "audio/mpeg", None,
                                    now - 90 * DAY + r * HOUR, None, r + 1)
    for i, (rid, kind, name, content_type) in enumerate(LIBRARY_EXTRAS):
        world.uploads[rid] = Upload(rid, kind, name, content_type, None, now - 60 * DAY + i * HOUR)


def add_motion_column(b: Builder, engine: Engine) -> None:
    """A `video_from_image` column before FINAL VIDEO whose cards start from the row's B-ROLL image."""
    world = b.world
    titles = {world.columns[c].title: c for c in engine.column_ids}
    column = b.column(engine, MOTION_TITLE, "video", "video", MOTION_ATTRS)
    engine.column_ids.remove(column.id)
    engine.column_ids.insert(engine.column_ids.index(titles["FINAL VIDEO"]), column.id)
    for position, cid in enumerate(engine.column_ids, 1):
        world.columns[cid].position = position
    for r, rid in enumerate(engine.row_ids):
        row = world.rows[rid]
        broll = next(world.cells[c] for c in row.cell_ids if world.cells[c].column_id == titles["B-ROLL"])
        topic = TOPICS[r % len(TOPICS)]
        attrs: dict[str, object] = {"model": "kling_2_6", "ratio": "9:16", "duration": 5, "autoGenerate": False,
                                    "prompt": f"Slow push-in on the b-roll: {topic}, steam rising"}
        shown = world.generations.get(broll.displayed) if broll.displayed is not None else None
        if shown is not None and shown.status == COMPLETED and shown.outputs:
            attrs["image_resource_id"] = shown.id * 10
        cell = b.cell(row, column, attrs)
        row.cell_ids.remove(cell.id)
        final = next(c for c in row.cell_ids if world.cells[c].role == "final_video")
        row.cell_ids.insert(row.cell_ids.index(final), cell.id)
        takes = MOTION_TAKES.get(r, 0) if "image_resource_id" in attrs else 0
        if not takes:
            continue
        kind, model, data, _ = b.card_of(cell)
        for i in range(takes):
            older = i < takes - 1
            card = dict(data)
            if older:
                card["prompt"] = f"Static shot of the b-roll: {topic}"
            else:
                card["duration"] = 8 if takes > 1 else 5
            b.past(cell, kind, model, card, COMPLETED, (takes - i) * 3 * HOUR + (14 - r) * 60)
        world.refresh_display(cell)


def build_world(options: SimOptions, time: SimTime, quiet: bool) -> World:
    """The whole world for these options; `quiet` starts with nothing in flight."""
    rng = random.Random(f"{options.seed}:world")
    world = World(options.seed, options.failure_rate, CreditLedger(START_GENERIC, START_AURA, True))
    now = time.clock.now()
    b = Builder(world, rng, time)
    world.organization = Organization(10, b.uuid(), "Demo Studio", now - 400 * DAY)
    world.agent = Agent(42, "Northwind Studio", "Short-form videos for Northwind Coffee", 10, now - 200 * DAY)
    world.user = {"id": 1234, "email": "jane@demo.studio", "name": "Jane Smith", "username": "janesmith",
                  "created_at": "2025-06-15T10:30:00.000Z"}
    seed_library(world, now, len(TOPICS) if not options.scaled else 1)
    if options.scaled:
        rows = 14 if options.rows is None else options.rows
        columns = 6 if options.columns is None else options.columns
        k = 0 if quiet else (min(8, rows * columns) if options.in_flight is None else options.in_flight)
        build_scaled(b, rows, columns, k, options.history)
    else:
        k = 0 if quiet else (DEFAULT_IN_FLIGHT if options.in_flight is None else min(options.in_flight, len(IN_FLIGHT)))
        main = build_main(b, k)
    build_second(b)
    if not options.scaled:
        add_motion_column(b, main)
    return world


def demo_ids(options: SimOptions) -> tuple[str, str]:
    """(agent id, first engine id) of the world `create_app(options)` builds (same seed, same ids)."""
    world = build_world(options, SimTime(WallClock(), options.speed), options.quiet)
    return str(world.agent_id), str(world.engine_ids[0])
