"""Assets for a card's resource fields: what the picker offers, uploads, and checking typed ids.

The candidates for one field, in the order the picker lists them (issue 13 item 5): (a) the outputs
of the same row's other cells (their displayed take), (b) the takes of this cell, (c) the agent's
library, a page at a time, of the field's kind, (d) a local file to upload. An output resource's id
is taken as a content resource id (gen-api.md part 0 "Assets"). Ids seen in any of these (and ids
the card came with) are known; any other id typed by hand is checked with `GET
/v1/content_resources/{id}` before the card is sent, and refused in one line naming the field.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gentui.api import errors, vocab
from gentui.api.assets import PAGE_SIZE, AssetsApi, ContentResource, Progress, UploadRefused, check_upload, kind_of
from gentui.api.models import Cell, Generation
from gentui.core.formatting import describe_error
from gentui.core.session import Session
from gentui.core.text import one_line
from gentui.core.views import CellKey

#: every resource field of a card -> the kind of file it takes ("" = any kind)
RESOURCE_FIELDS: dict[str, str] = {
    "image_resource_id": "image",
    "image_tail_resource_id": "image",
    "content_resource_ids": "image",  # image_from_text's reference images
    "asset_resource_ids": "",  # ingredients: images or clips
    "audio_resource_id": "audio",
    "video_resource_id": "video",
    "source_resource_id": "",  # captions: an audio or a video
    "content_resource_id": "",  # media: any upload
}
LIST_FIELDS = frozenset({"content_resource_ids", "asset_resource_ids"})
ROW_FETCHES = 4  # GET cell requests in flight at once while gathering a row's outputs

ROW, TAKE, LIBRARY, UPLOAD = "row output", "take", "library", "upload"


def resource_fields(generation_type: str) -> list[str]:
    """The resource fields of a type's card, in the card's order."""
    return [f.name for f in vocab.CARD_FIELDS.get(generation_type, ()) if f.name in RESOURCE_FIELDS]


def ids_of(value: Any) -> list[str]:
    """The ids a field holds: a list, a comma-separated text, or one id."""
    if value in (None, ""):
        return []
    parts = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return [str(p).strip() for p in parts if str(p).strip()]


@dataclass(frozen=True)
class Asset:
    """One file a resource field can take: its content resource id, kind, name and where it comes from."""

    id: str
    kind: str  # "image" | "video" | "audio" | ""
    name: str
    source: str  # ROW | TAKE | LIBRARY | UPLOAD
    where: str = ""  # "B-ROLL, take 2", "uploaded", ...
    url: str | None = None
    thumbnail_url: str | None = None

    @property
    def label(self) -> str:
        """What a field shows for it: kind, where, name (never a bare number)."""
        parts = [self.kind or "file", self.where, self.name]
        return " · ".join(one_line(p, 60) for p in parts if p)


def _file_name(url: str | None) -> str:
    return (url or "").split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1][:80]


def _from_resource(res: ContentResource, source: str, where: str = "") -> Asset:
    return Asset(res.id, res.kind, one_line(res.name, 80), source, where, res.url, res.thumbnail_url)


def _take_numbers(jobs: Iterable[Generation]) -> dict[str, int]:
    """Generation id -> take number, oldest first (take 1 is the first)."""
    def order(g: Generation) -> tuple[float, int, str]:
        when = g.created_at.timestamp() if g.created_at is not None else float("inf")
        return (when, int(g.id) if g.id.isdigit() else 0, g.id)

    return {g.id: n for n, g in enumerate(sorted(jobs, key=order), start=1)}


def _outputs(gen: Generation, source: str, where: str) -> list[Asset]:
    if gen.status.value != vocab.COMPLETED:
        return []
    out = []
    for res in gen.output_resources:
        if not res.id:
            continue
        kind = kind_of(f"{res.object_type}/" if res.object_type else None) or kind_of(None, _file_name(res.url))
        out.append(Asset(res.id, kind, _file_name(res.url) or f"output {res.id}", source, where, res.url,
                         res.thumbnail_url))
    return out


class AssetCatalog:
    """What one card editor can pick from, for one cell, and the ids it has seen."""

    def __init__(self, session: Session, key: CellKey, api: AssetsApi | None = None) -> None:
        self.session = session
        self.key = key
        self.api = api or AssetsApi(session.client)
        self.known: dict[str, Asset] = {}
        self.missing: set[str] = set()  # ids the server said it has no content resource for

    @property
    def agent_id(self) -> str:
        return self.session.agent_id

    def _named(self, res: ContentResource, source: str = LIBRARY) -> Asset:
        """A library entry, named by the cell that made it when it is an output of this engine."""
        state = self.session.state
        key = state.by_generation.get(res.generation_id) if res.generation_id else None
        column = state.column(key[1]) if key else None
        where = f"{one_line(column.title, 30)} output" if column else "library"
        return _from_resource(res, source, where)

    def _learn(self, assets: list[Asset]) -> list[Asset]:
        for asset in assets:
            self.known.setdefault(asset.id, asset)
        return assets

    @staticmethod
    def fits(asset: Asset, kind: str) -> bool:
        return not kind or not asset.kind or asset.kind == kind

    # --- (a) and (b): the row's outputs and this cell's takes --------------------------------------
    async def row_and_takes(self, kind: str = "") -> tuple[list[Asset], list[Asset]]:
        """(outputs of the row's other cells, outputs of this cell's takes newest first), of `kind`.

        Only cells whose compact state shows an output are read (GET cell, a few at a time)."""
        state = self.session.state
        row_id, column_id = self.key
        wanted = [c for c in state.columns if c.id != column_id]
        others = [state.cells[(row_id, c.id)] for c in wanted if (row_id, c.id) in state.cells]
        others = [c for c in others if any(j.urls for j in c.jobs)]
        this = state.cells.get(self.key)
        gate = asyncio.Semaphore(ROW_FETCHES)

        async def fetch(cell_id: str) -> Cell | None:
            async with gate:
                try:
                    return await self.session.client.get_cell(self.agent_id, self.session.engine_id, cell_id)
                except errors.GenApiError:
                    return None  # that cell's outputs are left out; the library still lists files

        targets = [c.cell_id for c in others]
        if this is not None and any(j.urls for j in this.jobs):
            targets.append(this.cell_id)
        cells = await asyncio.gather(*(fetch(cell_id) for cell_id in targets))
        row: list[Asset] = []
        takes: list[Asset] = []
        for view, cell in zip([*others, this], cells, strict=False):
            if cell is None or view is None:
                continue
            jobs = [*cell.user_jobs, *([cell.default_user_job] if cell.default_user_job else [])]
            numbers = _take_numbers({g.id: g for g in jobs}.values())
            column = state.column(view.column_id)
            title = one_line(column.title if column else view.column_id, 30)
            if view.key == self.key:
                for gen in sorted({g.id: g for g in jobs}.values(), key=lambda g: -numbers[g.id]):
                    takes += _outputs(gen, TAKE, f"take {numbers[gen.id]}")
                continue
            shown = cell.user_job_id or (cell.default_user_job.id if cell.default_user_job else None)
            picked = next((g for g in jobs if g.id == shown), None) or next(
                (g for g in sorted(jobs, key=lambda g: -numbers[g.id]) if g.status.value == vocab.COMPLETED), None)
            if picked is not None:
                row += _outputs(picked, ROW, f"{title}, take {numbers[picked.id]}")
        return (self._learn([a for a in row if self.fits(a, kind)]),
                self._learn([a for a in takes if self.fits(a, kind)]))

    # --- (c) the library ----------------------------------------------------------------------------
    async def library(self, kind: str = "", page: int = 0) -> tuple[list[Asset], bool]:
        """One page of the agent's library of `kind`, and whether another page may follow."""
        found = await self.api.library(self.agent_id, kind or None, page)
        assets = [self._named(r) for r in found]
        return self._learn([a for a in assets if self.fits(a, kind)]), len(found) >= PAGE_SIZE

    # --- (d) a local file ---------------------------------------------------------------------------
    async def upload(self, path: str | os.PathLike[str], kind: str = "", progress: Progress | None = None) -> Asset:
        """Check (in a thread: the MD5 reads the whole file), then send; UploadRefused before anything goes."""
        file = await asyncio.to_thread(check_upload, path, wanted=kind or None)
        made = await self.api.upload(self.agent_id, file, progress)
        asset = _from_resource(made, UPLOAD, "uploaded")
        if not asset.kind:
            asset = Asset(asset.id, file.kind, asset.name if made.file_name else file.name, UPLOAD, "uploaded",
                          made.url, made.thumbnail_url)
        self.known[asset.id] = asset
        return asset

    # --- ids typed by hand ----------------------------------------------------------------------
    async def describe(self, resource_id: str) -> Asset | None:
        """A known id's asset, else the server's resource (None when it has none or cannot say)."""
        if resource_id in self.known:
            return self.known[resource_id]
        try:
            res = await self.api.resource(self.agent_id, resource_id)
        except errors.NotFoundError:
            self.missing.add(resource_id)
            return None
        except errors.GenApiError:
            return None
        return self._learn([self._named(res)])[0]

    async def check_ids(self, data: Mapping[str, Any], trusted: Iterable[str] = ()) -> None:
        """Every id in a resource field is known, trusted (the card came with it) or on the server.

        Raises `AssetIdError` (one line naming the field) for the first that is not."""
        trusted_ids = set(trusted)
        for name in RESOURCE_FIELDS:
            title = next((f.title for fields in vocab.CARD_FIELDS.values() for f in fields if f.name == name), name)
            for resource_id in ids_of(data.get(name)):
                if resource_id in self.known or resource_id in trusted_ids:
                    continue
                try:
                    res = await self.api.resource(self.agent_id, resource_id)
                except (errors.NotFoundError, errors.ValidationError):
                    raise AssetIdError(f"{title}: no content resource {resource_id!r} on the server; "
                                       "ctrl+o picks one") from None
                except errors.GenApiError as exc:
                    raise AssetIdError(f"{title}: could not check {resource_id!r} ({describe_error(exc)}); "
                                       "nothing was sent") from None
                self._learn([self._named(res)])


class AssetIdError(ValueError):
    """A resource id the server does not have: one line naming the field."""


__all__ = ["LIBRARY", "LIST_FIELDS", "RESOURCE_FIELDS", "ROW", "TAKE", "UPLOAD", "Asset", "AssetCatalog",
           "AssetIdError", "UploadRefused", "ids_of", "resource_fields"]
