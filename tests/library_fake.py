"""A content library beside the in-process simulator (with `fake=False`, only a recorder in front of it),
following gen-api.md's documented shapes:
`GET /v1/content_resources` (20 a page, from 0), `GET /v1/content_resources/{id}`, `POST /v1/direct_upload`,
`PUT /_up/{key}` (Content-MD5 checked), `POST /v1/content_resources`; everything else goes to the simulator.
Used over httpx.MockTransport until the simulator serves these routes itself."""

from __future__ import annotations

import base64
import hashlib
import json

import httpx


class Library:
    """Content resources beside the simulator: `/v1/content_resources*`, `/v1/direct_upload`, `PUT /_up/{key}`."""

    def __init__(self, sim_app, count: int = 45, *, fake: bool = True) -> None:
        self.fake = fake  # False: every request goes to the simulator (which serves these routes itself); still recorded
        self.sim = httpx.AsyncClient(transport=httpx.ASGITransport(app=sim_app), base_url="http://sim")
        self.items = [{"id": 5000 + i, "url": f"http://sim/_m/lib{i}.png", "thumbnail_url": None,
                       "file_name": f"lib{i}.png", "content_type": "image/png"} for i in range(count)]
        self.blobs: dict[str, dict] = {}
        self.received: dict[str, bytes] = {}
        self.seen: list[str] = []
        self.generates: list[dict] = []  # bodies of generate POSTs, in order
        self.put_headers: list[httpx.Headers] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.seen.append(f"{request.method} {path}")
        if path.endswith("/generate"):
            self.generates.append(json.loads(request.content))
        if request.method == "PUT":
            self.put_headers.append(request.headers)
        if not self.fake:
            return await self._forward(request)
        if path == "/v1/content_resources" and request.method == "GET":
            page = int(request.url.params.get("page", "0"))
            kind = request.url.params.get("type")
            found = [r for r in self.items if not kind or r["content_type"].startswith(kind)]
            return httpx.Response(200, json=found[page * 20:(page + 1) * 20])
        if path.startswith("/v1/content_resources/") and request.method == "GET":
            rid = path.rsplit("/", 1)[-1]
            hit = next((r for r in self.items if str(r["id"]) == rid), None)
            if hit is None:
                return httpx.Response(404, json={"error": "Not found", "error_code": "content_resource_not_found"})
            return httpx.Response(200, json={"content_resource": hit, "generator": None})
        if path == "/v1/direct_upload":
            blob = json.loads(request.content)["blob"]
            key = f"k{len(self.blobs)}"
            self.blobs[key] = blob
            return httpx.Response(200, json={"signed_id": f"signed-{key}", "direct_upload": {
                "url": f"http://sim/_up/{key}",
                "headers": {"Content-Type": blob["content_type"], "Content-MD5": blob["checksum"]}}})
        if path.startswith("/_up/"):
            key = path.rsplit("/", 1)[-1]
            body = request.content
            if base64.b64encode(hashlib.md5(body).digest()).decode() != request.headers["Content-MD5"]:
                return httpx.Response(400, content=b"BadDigest")
            self.received[key] = body
            return httpx.Response(200)
        if path == "/v1/content_resources" and request.method == "POST":
            key = json.loads(request.content)["content_resource"]["file"].removeprefix("signed-")
            blob = self.blobs[key]
            made = {"id": 7000 + len(self.items), "url": f"http://sim/_m/{blob['filename']}",
                    "file_name": blob["filename"], "content_type": blob["content_type"]}
            self.items.append(made)
            return httpx.Response(201, json={"content_resource": made, "generator": None})
        return await self._forward(request)

    async def _forward(self, request: httpx.Request) -> httpx.Response:
        answer = await self.sim.send(self.sim.build_request(request.method, str(request.url), headers=request.headers,
                                                            content=request.content))
        # `content` is decoded already: its encoding and length headers would describe the gzip on the wire
        headers = [(k, v) for k, v in answer.headers.items() if k.lower() not in ("content-encoding", "content-length")]
        return httpx.Response(answer.status_code, headers=headers, content=answer.content)
