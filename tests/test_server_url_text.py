"""How a server database given as a URL is shown: never with its password, and a URL that
cannot be read is not echoed at all (it may hold a password in a place the parser missed)."""

from __future__ import annotations

import pytest

from cipco.config import ServerDb


def test_a_server_url_is_shown_without_its_password() -> None:
    shown = str(ServerDb("postgresql://coord:s3cret@db.example/cipco"))
    assert "s3cret" not in shown
    assert shown == "postgresql://coord:***@db.example/cipco"


@pytest.mark.parametrize(
    "url", ["postgresql://coord:s3cret@db:xx/cipco", "postgresql://coord:s3cret@[::1/cipco"]
)
def test_a_url_that_cannot_be_read_is_not_echoed(url: str) -> None:
    assert str(ServerDb(url)) == "the server database"
    assert "s3cret" not in repr(ServerDb(url))
