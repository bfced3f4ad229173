"""The world written as JSON, in one of the two documented dialects (CONTRACTS.md section 4).

`docs`: `spreadsheet_columns` / `spreadsheet_rows` / `spreadsheet_cells`, `column_role`,
`cell_role`, integer ids, money as decimal strings. `sdk`: `columns` / `rows` / `cells`, `role`,
string ids, money as numbers; `GET …/global_variables` answers `{id, variables: [{key, value}]}` (docs)
or an array of `{id, key, value}` (sdk). Media URLs are on the origin of the request being answered
(`origin`, noted by `context.authenticate`). A cell's JSON is cached per revision, so a big engine is mostly a
join of cached strings (per origin).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from gentui.api import vocab
from gentui.sim.clock import epoch_ms, iso
from gentui.sim.lifecycle import CENT, MediaPath
from gentui.sim.media import MEDIA_PATH
from gentui.sim.model import COMPLETED, FAILED, STOPPED, Cell, Column, Engine, Generation, Row
from gentui.sim.world import World

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value: Any) -> str:
    """Compact JSON, UTF-8 kept (control characters such as ESC are escaped)."""
    return _ENCODER.encode(value)


class Serializer:
    """Plain JSON dicts (and cached JSON text) for one dialect."""

    def __init__(self, dialect: str, world: World, origin: str = "http://127.0.0.1:8765") -> None:
        self.dialect = dialect
        self.world = world
        #: scheme://host[:port] of the request being answered: media URLs are on the simulator's own origin
        self.origin = origin
        self.sdk = dialect == "sdk"
        self.columns_key = "columns" if self.sdk else "spreadsheet_columns"
        self.rows_key = "rows" if self.sdk else "spreadsheet_rows"
        self.cells_key = "cells" if self.sdk else "spreadsheet_cells"
        self.column_role_key = "role" if self.sdk else "column_role"
        self.cell_role_key = "role" if self.sdk else "cell_role"
        self._cells: dict[tuple[int, bool], tuple[tuple[int, str], str, Decimal]] = {}
        self._gens: dict[int, tuple[tuple[str, float, str], str]] = {}

    # --- scalars ------------------------------------------------------------------------------

    def id(self, value: int | None) -> int | str | None:
        if value is None:
            return None
        return str(value) if self.sdk else value

    def money(self, value: Decimal | None) -> str | float | None:
        if value is None:
            return None
        q = Decimal(value).quantize(CENT)
        return float(q) if self.sdk else format(q, "f")

    def url(self, value: str | None) -> str | None:
        """A media path (`/_sim/media/...`) on the origin of the request being answered."""
        return None if value is None else self.origin + value

    @staticmethod
    def stamps(created: float, updated: float) -> dict[str, Any]:
        return {
            "created_at": iso(created),
            "created_at_ts": epoch_ms(created),
            "updated_at": iso(updated),
            "updated_at_ts": epoch_ms(updated),
        }

    # --- account ------------------------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        user = dict(self.world.user)
        user["id"] = self.id(user["id"])
        return user

    def organization(self) -> dict[str, Any]:
        org, ledger = self.world.organization, self.world.ledger
        assert org is not None
        return {
            "id": self.id(org.id),
            "uuid": org.uuid,
            "organization_id": self.id(org.id),
            "name": org.name,
            "avatar": {
                "url": f"https://cdn.gen.pro/avatars/org-{org.id}.png",
                "thumbnail_url": f"https://cdn.gen.pro/avatars/org-{org.id}-thumb.png",
            },
            "user_role": "owner",
            "credit": self.money(ledger.generic + ledger.aura),
            "available_credit": {"generic": self.money(ledger.generic), "aura": self.money(ledger.aura)},
            "total_members": 3,
            "credit_plan": {"id": self.id(1), "name": "Pro", "cycle": "MONTHLY"} if ledger.active else None,
            "created_at": iso(org.created_at),
            "created_at_ts": epoch_ms(org.created_at),
        }

    def workspace(self) -> dict[str, Any]:
        org = self.world.organization
        assert org is not None
        return {"id": self.id(org.id), "name": org.name}

    def agent(self) -> dict[str, Any]:
        agent, org = self.world.agent, self.world.organization
        assert agent is not None and org is not None
        main = next(iter(self.world.engines), None)
        return {
            "id": self.id(agent.id),
            "name": agent.name,
            "description": agent.description,
            "organization_id": self.id(agent.organization_id),
            "workspace_id": self.id(agent.organization_id),
            "organization": org.name,
            "time_zone": "Europe/Paris",
            "primary_avatar_id": None,
            "primary_avatar_url": f"https://cdn.gen.pro/avatars/{agent.id}/thumbnail.webp",
            "agent_setup_project_id": self.id(main),
            "role": "owner",
            "default_user_voice": None,
            "created_at": iso(agent.created_at),
            "created_at_ts": epoch_ms(agent.created_at),
        }

    # --- generations --------------------------------------------------------------------------

    def user_job_type(self, gen: Generation) -> str:
        if gen.kind == vocab.RENDER:
            return "render"
        return vocab.internal_type(gen.kind, gen.model) if self.sdk else gen.kind

    def execution_cost(self, gen: Generation) -> str | float | None:
        if gen.status == COMPLETED:
            return self.money(gen.final_cost)
        if gen.status in (FAILED, STOPPED):
            return self.money(Decimal(0))
        return None

    def generation(self, gen: Generation) -> dict[str, Any]:
        resources: list[dict[str, Any]] = []
        if gen.status == COMPLETED and gen.resources is not None:
            resources = [dict(r) for r in gen.resources]  # written as given (hostile-content tests) ...
            for resource in resources:  # ... but a path on the simulator's media host gets the origin
                for name in ("url", "thumbnail_url"):
                    if isinstance(resource.get(name), str) and resource[name].startswith(MEDIA_PATH + "/"):
                        resource[name] = self.url(resource[name])
        elif gen.status == COMPLETED:
            resources = self.world.outputs(gen)
            for resource in resources:
                resource["url"], resource["thumbnail_url"] = self.url(resource["url"]), self.url(resource["thumbnail_url"])
        for resource in resources:
            resource["id"] = self.id(resource["id"])
        out: dict[str, Any] = {
            "id": self.id(gen.id),
            "status": gen.status,
            "user_job_type": self.user_job_type(gen),
            "result": gen.result if gen.status == COMPLETED else None,
            "failed_reason": gen.failed_reason if gen.status == FAILED else None,
            "output_resources": resources,
            "execution_cost": self.execution_cost(gen),
        }
        out.update(self.stamps(gen.created_at, gen.updated_at))
        return out

    def status_answer(self, gen: Generation) -> dict[str, Any]:
        """What stop and continue answer: the whole generation (docs) or `{generation_id, status}` (sdk)."""
        if self.sdk:
            return {"generation_id": self.id(gen.id), "status": gen.status}
        return self.generation(gen)

    # --- engines ------------------------------------------------------------------------------

    def column(self, column: Column) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id(column.id),
            "title": column.title,
            "temp_title": None,
            "type": column.type,
            self.column_role_key: column.role,
            "description": column.description,
            "position": column.position,
            "additional_attributes": column.additional_attributes,
        }
        if self.sdk:
            out["name"] = column.title
        out.update(self.stamps(column.created_at, column.updated_at))
        return out

    def _cell_head(self, cell: Cell, with_cost: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id(cell.id),
            "column_id": self.id(cell.column_id),
            "row_id": self.id(cell.row_id),
            "value": self.url(cell.value) if isinstance(cell.value, MediaPath) else cell.value,
            "additional_attributes": cell.additional_attributes,
            self.cell_role_key: cell.role,
            "user_job_id": self.id(cell.displayed),
            "video_layers": [],
        }
        if with_cost:
            out["execution_cost"] = self.money(self.world.cell_cost(cell))
        out.update(self.stamps(cell.created_at, cell.updated_at))
        return out

    def cell(self, cell: Cell, with_cost: bool = False) -> dict[str, Any]:
        """A cell with `default_user_job` and `user_jobs` (full generations, newest first)."""
        gens = self.world.generations
        out = self._cell_head(cell, with_cost)
        out["default_user_job"] = self.generation(gens[cell.displayed]) if cell.displayed is not None else None
        out["user_jobs"] = [self.generation(gens[gid]) for gid in reversed(cell.jobs)]
        return out

    def generation_text(self, gen: Generation) -> str:
        """A generation's JSON, cached until its status or update time changes."""
        stamp = (gen.status, gen.updated_at, self.origin)
        hit = self._gens.get(gen.id)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        text = dumps(self.generation(gen))
        self._gens[gen.id] = (stamp, text)
        return text

    def cell_text(self, cell: Cell, with_cost: bool) -> tuple[str, Decimal]:
        """A cell's JSON (and its cost), cached per revision of the cell."""
        key = (cell.id, with_cost)
        hit = self._cells.get(key)
        if hit is not None and hit[0] == (cell.rev, self.origin):
            return hit[1], hit[2]
        gens = self.world.generations
        shown = self.generation_text(gens[cell.displayed]) if cell.displayed is not None else "null"
        jobs = ",".join(self.generation_text(gens[gid]) for gid in reversed(cell.jobs))
        text = dumps(self._cell_head(cell, with_cost))[:-1] + f',"default_user_job":{shown},"user_jobs":[{jobs}]}}'
        cost = self.world.cell_cost(cell) if with_cost else Decimal(0)
        self._cells[key] = ((cell.rev, self.origin), text, cost)
        return text, cost

    def row_text(self, row: Row, with_cost: bool) -> str:
        parts, total = [], Decimal(0)
        for cid in row.cell_ids:
            text, cost = self.cell_text(self.world.cells[cid], with_cost)
            parts.append(text)
            total += cost
        head: dict[str, Any] = {
            "id": self.id(row.id),
            "position": row.position,
            "additional_attributes": row.additional_attributes,
        }
        head.update(self.stamps(row.created_at, row.updated_at))
        if with_cost:
            head["execution_cost"] = self.money(total)
        return dumps(head)[:-1] + f',"{self.cells_key}":[' + ",".join(parts) + "]}"

    def rows_text(self, engine: Engine, with_cost: bool) -> str:
        return "[" + ",".join(self.row_text(self.world.rows[rid], with_cost) for rid in engine.row_ids) + "]"

    def variables(self, engine: Engine) -> dict[str, Any] | None:
        """The engine's `global_variables_sheet`: `{id, variables: [{key, value}]}` or null."""
        if engine.variables is None:
            return None
        return {
            "id": self.id(engine.variables_id),
            "variables": [{"key": k, "value": v} for k, v in engine.variables],
        }

    def variables_answer(self, engine: Engine) -> Any:
        """`GET …/global_variables`: the sheet (docs), or an array of `{id, key, value}` as the SDK types it."""
        if not self.sdk:
            return self.variables(engine)
        base = (engine.variables_id or 0) * 100
        return [{"id": self.id(base + i), "key": k, "value": v} for i, (k, v) in enumerate(engine.variables or (), 1)]

    def engine_summary(self, engine: Engine) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id(engine.id),
            "slug": engine.slug,
            "title": engine.title,
            "project_type": "autocontentengine",
            "is_default": engine.is_default,
            "uuid": engine.uuid,
            "status": "active",
            "agent_id": self.id(engine.agent_id),
        }
        if self.sdk:
            out["name"] = engine.title
        out.update(self.stamps(engine.created_at, engine.updated_at))
        return out

    def engine_text(self, engine: Engine, with_cost: bool) -> str:
        head = self.engine_summary(engine)
        head["global_variables_sheet"] = self.variables(engine)
        head[self.columns_key] = [self.column(self.world.columns[c]) for c in engine.column_ids]
        return dumps(head)[:-1] + f',"{self.rows_key}":' + self.rows_text(engine, with_cost) + "}"
