"""Answer compression and wire accounting for `/v1` routes (CONTRACTS.md section 4, "Compression").

Like production HTTP servers, an answer over `MIN_SIZE` bytes is gzip-compressed when the request's
`Accept-Encoding` allows gzip; `wire_size` is what the answer costs on the wire as sent (status
line, headers, body), which the stats count per route (`bytes_by_route`).
"""

from __future__ import annotations

import gzip

from starlette.responses import Response

from gentui.sim.faults import DroppedResponse

MIN_SIZE = 1024  # bytes: smaller answers go as they are (nginx's gzip_min_length habit)
LEVEL = 6  # gzip's own default, and Apache mod_deflate's


def accepts_gzip(header: str) -> bool:
    """Whether an `Accept-Encoding` value allows gzip (`gzip`, `x-gzip` or `*`, with a q above 0)."""
    allowed: dict[str, bool] = {}
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        name = name.strip().lower()
        if not name:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        allowed[name] = q > 0
    if "gzip" in allowed:
        return allowed["gzip"]
    if "x-gzip" in allowed:
        return allowed["x-gzip"]
    return allowed.get("*", False)


def compress(response: Response, accept_encoding: str, enabled: bool) -> Response:
    """The answer gzipped when it is worth it and allowed; otherwise the answer itself."""
    body = getattr(response, "body", None)
    if (not enabled or isinstance(response, DroppedResponse) or not isinstance(body, bytes) or len(body) <= MIN_SIZE
            or "content-encoding" in response.headers or not accepts_gzip(accept_encoding)):
        return response
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    headers["content-encoding"] = "gzip"
    headers["vary"] = "Accept-Encoding"
    return Response(gzip.compress(body, LEVEL, mtime=0), status_code=response.status_code, headers=headers)


def wire_size(response: Response) -> int:
    """Bytes of the answer as sent: an HTTP/1.1 status line, its headers and its (possibly compressed) body."""
    body = getattr(response, "body", b"")
    head = 17 + sum(len(k) + len(v) + 4 for k, v in response.raw_headers) + 2
    return head + (len(body) if isinstance(body, bytes) else 0)
