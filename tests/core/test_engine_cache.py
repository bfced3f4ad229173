"""The engine cache keeps an answer exactly, in chunks, and only for the engine it was saved for."""

from __future__ import annotations

import stat

from gentui.core import engine_cache
from gentui.core.engine_cache import EngineCache


def test_a_big_answer_round_trips_exactly_across_chunk_edges(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(engine_cache, "CHUNK", 7)  # many chunk edges inside multi-byte characters
    text = '{"title": "東京 ☕ café \U0001f469\u200d\U0001f4bb", "x": "' + "é水" * 50 + '\ud800"}'
    cache = EngineCache(tmp_path, clock=lambda: 1000.0)
    assert cache.save("https://api.gen.pro/v1", "42", "101", text)
    loaded = cache.load("https://api.gen.pro/v1/", "42", "101")
    assert loaded is not None and loaded.text == text and loaded.saved_at == 1000.0
    assert cache.load("https://api.gen.pro/v1", "42", "102") is None  # another engine's file is not this one
    path = cache.path("https://api.gen.pro/v1", "42", "101")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not cache.save("https://api.gen.pro/v1", "42", "101", text)  # not due again for `every` seconds


def test_a_damaged_cache_file_is_no_cache_whatever_byte_is_flipped(tmp_path, caplog) -> None:
    cache = EngineCache(tmp_path, clock=lambda: 1000.0)
    text = '{"id": 101, "rows": [' + ",".join(f'{{"id": {i}, "title": "row {i}"}}' for i in range(200)) + "]}"
    assert cache.save("https://api.gen.pro/v1", "42", "101", text)
    path = cache.path("https://api.gen.pro/v1", "42", "101")
    good = path.read_bytes()
    for at in range(10, len(good), max(1, len(good) // 60)):  # zlib.error, BadGzipFile, EOFError, CRC errors
        damaged = bytearray(good)
        damaged[at] ^= 0xFF
        path.write_bytes(bytes(damaged))
        loaded = cache.load("https://api.gen.pro/v1", "42", "101")
        assert loaded is None or loaded.text == text  # never an exception
    path.write_bytes(good[: len(good) // 2])  # truncated
    assert cache.load("https://api.gen.pro/v1", "42", "101") is None
    assert "engine cache" in caplog.text


def test_a_cache_path_that_is_not_a_regular_file_is_no_cache(tmp_path) -> None:
    import os

    cache = EngineCache(tmp_path)
    path = cache.path("https://api.gen.pro/v1", "42", "101")
    path.parent.mkdir(parents=True)
    os.mkfifo(path)  # a FIFO would block a plain open() for ever
    assert cache.load("https://api.gen.pro/v1", "42", "101") is None
