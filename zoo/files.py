"""Atomic file writes: a half-written file never takes the place of a good one.

Kept free of TensorFlow so the benchmark can write its JSON on any Keras backend.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary sibling of ``path`` to write; rename it into place only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.tmp{path.suffix}")  # keep the suffix: Keras checks it
    temporary.unlink(missing_ok=True)  # left by a run killed mid-write
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_json(path, data) -> Path:
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return Path(path)
