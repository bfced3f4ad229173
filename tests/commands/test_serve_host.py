"""`gentui serve --host`: loopback is checked on the resolved addresses, never on the name (issue 14 item 16).

Name resolution is replaced by a table, so the tests never ask a real resolver.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from gentui.cli import main
from gentui.commands import serve

TABLE = {
    "127.evil.example": ["203.0.113.7"],  # a name that looks loopback and is not
    "split.example": ["127.0.0.1", "198.51.100.2"],  # one loopback address is not enough
    "loop.example": ["127.0.0.5", "::1"],
}


def fake_getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
    if host in TABLE:
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0))
                for a in TABLE[host]]
    if host in ("127.0.0.1", "::1", "0.0.0.0"):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (host, 0))]
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Resolution from TABLE, and a guarded textual-serve Server that records how it was asked to listen."""
    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    calls: list[dict[str, Any]] = []

    class Server:
        def __init__(self, command: str, *, host: str, port: int, title: str, **guard: Any) -> None:
            assert guard["token"]  # a token on every run, loopback included
            calls.append({"host": host, "port": port})

        def serve(self) -> None:
            calls[-1]["served"] = True

    from gentui.commands import serve_guard

    monkeypatch.setattr(serve_guard, "GuardedServer", Server)
    return calls


def test_a_name_starting_with_127_that_resolves_elsewhere_is_refused(home, served, capsys) -> None:
    code = main(["serve", "--host", "127.evil.example", "--port", "8123"])
    _, err = capsys.readouterr()
    assert code == 2 and served == []
    assert "refusing to serve on 127.evil.example (203.0.113.7)" in err and "--public" in err


def test_a_name_with_one_public_address_is_refused(home, served, capsys) -> None:
    assert main(["serve", "--host", "split.example"]) == 2 and served == []
    assert "198.51.100.2" in capsys.readouterr().err


@pytest.mark.parametrize("public", [False, True])
def test_an_unresolvable_host_is_one_line_not_a_traceback(home, served, capsys, public: bool) -> None:
    code = main(["serve", "--host", "nowhere.invalid", *(["--public"] if public else [])])
    out, err = capsys.readouterr()
    assert code == 2 and served == [] and out == ""
    assert err.count("\n") == 1 and "does not resolve" in err and "Traceback" not in err


def test_a_name_that_resolves_only_to_loopback_is_served_on_the_checked_address(home, served, capsys) -> None:
    assert main(["serve", "--host", "loop.example", "--port", "8124"]) == 0
    assert served == [{"host": "127.0.0.5", "port": 8124, "served": True}]  # the address checked, not the name
    assert "WARNING" not in capsys.readouterr().err


def test_public_still_serves_a_public_host_with_a_warning(home, served, capsys) -> None:
    assert main(["serve", "--host", "127.evil.example", "--public"]) == 0
    assert served[0]["host"] == "127.evil.example"
    err = capsys.readouterr().err
    assert "WARNING" in err and "token" in err  # --public says the token is what guards it


def test_is_loopback_goes_by_address(served) -> None:
    assert serve.is_loopback("loop.example") and serve.is_loopback("::1")
    assert not serve.is_loopback("127.evil.example") and not serve.is_loopback("split.example")
    assert not serve.is_loopback("nowhere.invalid")
