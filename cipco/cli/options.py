"""The options every command spells the same way. Use these; never re-declare them.

- ``--out PATH``: where the file goes (default ``exports/<what>-<date-time>.<ext>``);
- ``--overwrite``: allow ``--out`` to replace an existing file (never the database);
- ``--include-restricted``: include "do not share" persons and victims' contact details;
- ``--include-internal``: include the coordinator's internal columns (notes, next due);
- ``--quiet``/``-q``: no progress bar.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Output file (default: exports/<what>-<date>-<time>; never replaces a file).",
    ),
]
OverwriteOpt = Annotated[
    bool, typer.Option("--overwrite", help="Let --out replace an existing file.")
]
IncludeRestrictedOpt = Annotated[
    bool,
    typer.Option(
        "--include-restricted",
        help="Include 'do not share' persons and victims' contact details.",
    ),
]
IncludeInternalOpt = Annotated[
    bool,
    typer.Option(
        "--include-internal", help="Include internal columns (notes, next due) for police."
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
