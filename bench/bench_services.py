"""Service base: streaming a whole log for an export, one cursor vs re-querying by offset.

Prints the median seconds to stream every referral of a demo file both ways (the baseline,
offset paging, is what the MG4D and exhibit exports did before the shared base) and the
ratio. Never asserted in tests.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from _common import BENCH_CLOCK_AT, demo_file, median_seconds

from cipco.clock import FixedClock
from cipco.db import read_scope
from cipco.services.bootstrap import prepare
from cipco.services.logspec import spec
from cipco.services.paging import PageQuery


def _offset_pages(service: Any, session: Any, clock: FixedClock, batch: int) -> Iterator[Any]:
    offset = 0
    while True:
        page = service.page(session, PageQuery().with_window(offset, batch), clock)
        yield from page.rows
        offset += len(page.rows)
        if len(page.rows) < batch:
            return


def main(referrals: int = 20_000) -> None:
    path = demo_file(referrals)
    engine = prepare(path)
    clock = FixedClock(BENCH_CLOCK_AT)
    for name in ("referrals", "persons", "mg4d"):
        service = spec(name).service
        with read_scope(engine) as session:
            total = sum(1 for _ in service.stream(session, PageQuery(), clock))

            def cursor(service: Any = service, session: Any = session) -> int:
                return sum(1 for _ in service.stream(session, PageQuery(), clock))

            def offsets(service: Any = service, session: Any = session) -> int:
                return sum(1 for _ in _offset_pages(service, session, clock, 1000))

            streamed = median_seconds(cursor, runs=3)
            paged = median_seconds(offsets, runs=3)
        print(
            f"{name:10} {total:7,} rows  stream {streamed:6.2f} s  "
            f"offset pages {paged:6.2f} s  ratio {paged / streamed:5.1f}x"
        )
    engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
