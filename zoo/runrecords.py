"""A run's records as files, read and written the same way everywhere: ``state.json``,
``history.csv``, the versions a run used, the ``RESULT`` line every command ends with, and a
finished run's records (for ``dli-zoo export`` and the commands that take a run's folder).
Imports no Keras; ``zoo.runfolder.RunFolder`` keeps a run's folder with them.
"""

from __future__ import annotations

import csv
import json
import platform
import sys
from pathlib import Path

from zoo.errors import UsageError
from zoo.files import atomic_path, read_json

STATE_FILE = "state.json"
METRICS_FILE = "metrics.json"
STATE_FORMAT = 1
LEGACY_STATE = Path("checkpoints") / "state.json"  # where runs of zoo 0.1 kept it


def read_state(folder: Path) -> dict | None:
    """A folder's ``state.json``, or None when it holds none."""
    path = Path(folder) / STATE_FILE
    if not path.is_file():
        return None
    state = read_json(path, advice="this folder's run cannot be continued")
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        raise UsageError(f"{path} is not a state file of this version of the zoo")
    return state


def read_history(path) -> dict:
    """history.csv as {column: [values]} (numbers as floats, epoch as int)."""
    path = Path(path)
    if not path.exists():
        return {}
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return {}

    def number(text):
        return float("nan") if text in (None, "", "NA") else float(text)

    # CSVLogger writes "NA" for val_* columns when fit has no validation data: drop those.
    columns = [key for key in rows[0] if key and any(row.get(key) not in (None, "", "NA") for row in rows)]
    return {key: [int(row[key]) if key == "epoch" else number(row[key]) for row in rows] for key in columns}


def truncate_history(path: Path, epochs: int) -> None:
    """Keep only the rows of completed, checkpointed epochs, so a resumed history is continuous."""
    if not path.exists():
        return
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    kept = rows[:1] + [row for row in rows[1:] if row and int(row[0]) < epochs]
    with atomic_path(path) as temporary, open(temporary, "w", newline="") as handle:
        csv.writer(handle).writerows(kept)


# the libraries a backend computes with, recorded beside Keras' own version
BACKEND_LIBRARIES = {"tensorflow": ("tensorflow",), "jax": ("jax", "jaxlib"), "torch": ("torch",)}


def versions() -> dict:
    """The versions a run used: the zoo, Python, Keras, its backend and the backend's libraries.
    Only modules already loaded are read (this imports nothing)."""
    import zoo

    found = {"zoo": zoo.__version__, "python": platform.python_version()}
    keras = sys.modules.get("keras")
    if keras is not None:
        found.update(keras=keras.__version__, backend=keras.backend.backend())
    for module in dict.fromkeys(BACKEND_LIBRARIES.get(found.get("backend"), ()) + ("tensorflow",)):
        version = getattr(sys.modules.get(module), "__version__", None)
        if version is not None:
            found[module] = version
    return found


def print_result(result: dict) -> None:
    """The ``RESULT {...}`` line (one line of JSON) that ends every command's output: a run's
    finish record, an export, and each ``dli-zoo`` command's answer."""
    print("RESULT " + json.dumps(result), flush=True)


def read_finished(folder) -> tuple[dict, dict]:
    """A finished run's ``state.json`` and ``metrics.json``; anything else is refused in one line."""
    folder = Path(folder)
    state_path, metrics_path = folder / STATE_FILE, folder / METRICS_FILE
    if not state_path.is_file():
        raise UsageError(f"{folder} holds no zoo run (no {STATE_FILE})")
    state = read_state(folder)
    if not isinstance(state.get("model"), str):
        raise UsageError(f"{state_path} is not a state file of this version of the zoo")
    if state.get("finished") is not True:
        raise UsageError(f"the run in {folder} has not finished; continue it with --resume, then export it")
    if not metrics_path.is_file():
        raise UsageError(f"{folder} holds no {METRICS_FILE}, though {STATE_FILE} says the run finished")
    return state, read_json(metrics_path, what="a JSON object")
