"""How a script or command ends: its ``main()`` run, a user's mistake turned into one line and
exit status 2, a failed write into one line and exit status 1, and a stop signal into 143 or
130 with the last checkpoint whole (``zoo.stopping``)."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

from zoo import environment, stopping
from zoo.datasets import DataSourceError
from zoo.errors import TrainingDiverged, UsageError, one_line
from zoo.files import read_json


def _raised_by_the_zoo(error: BaseException) -> bool:
    """True when the innermost frame is the zoo's own code (a check of the user's input)."""
    import zoo
    import zoo.datasets

    traceback = error.__traceback__
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    origin = Path(traceback.tb_frame.f_code.co_filename).resolve()
    ours = {Path(zoo.__file__).resolve().parent, Path(zoo.datasets.__file__).resolve().parent}
    return any(folder in origin.parents for folder in ours)


def main(function) -> None:
    """Run a script's ``main()``, turning the user's mistakes into one line and exit status 2, and
    a failed write (full disk, read-only folder) into one line and exit status 1. SIGTERM (timeout,
    a batch scheduler, kill) and SIGINT (Ctrl-C) stop a run at its next step (``zoo.stopping``):
    exit status 143 or 130, no result, its last checkpoint whole for ``--resume``."""
    with stopping.handling():
        _run(function)


def _run(function) -> None:
    try:
        function()
        stopping.check()  # a signal whose exception a library swallowed still stops with its status
    except stopping.Stopped as stopped:
        print(f"{stopped.word}; continue with --resume if a checkpoint was written", file=sys.stderr)
        sys.exit(stopped.exit_status)
    except ValueError as error:  # UsageError, DataSourceError and the runtime's errors are ValueErrors
        ours = isinstance(error, (UsageError, DataSourceError)) or type(error).__module__.startswith("zoo")
        if environment.flag("ZOO_DEBUG") or not (ours or _raised_by_the_zoo(error)):
            raise  # a ValueError inside Keras or TensorFlow needs its traceback
        print(f"error: {one_line(error)}", file=sys.stderr)
        sys.exit(2)
    except TrainingDiverged as error:
        print(f"error: {one_line(error)}", file=sys.stderr)
        sys.exit(1)
    except OSError as error:  # a full disk, a read-only folder, a permission: what is kept and how to go on
        if environment.flag("ZOO_DEBUG"):
            raise
        print(f"error: {describe_os_error(error)}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted; continue with --resume if a checkpoint was written", file=sys.stderr)
        sys.exit(130)


NO_SPACE = {errno.ENOSPC, errno.EDQUOT}
NO_PERMISSION = {errno.EROFS, errno.EACCES, errno.EPERM}


def describe_os_error(error: OSError) -> str:
    """One line: the file, what went wrong, what of the run is intact, and how to go on."""
    what = error.strerror or one_line(error)
    if error.filename is None:
        return f"{what}; continue with --resume once the cause is fixed, if a checkpoint was written"
    path = Path(os.fsdecode(error.filename))
    verb = "cannot write" if error.errno in NO_SPACE | NO_PERMISSION else "cannot use"
    fix = ("free some space" if error.errno in NO_SPACE else
           f"make {path.parent} writable" if error.errno in NO_PERMISSION else "fix that")
    folder = next((folder for folder in path.parents if (folder / "state.json").is_file()), None)
    if folder is None:
        return f"{verb} {path}: {what}; {fix} and run the command again"
    try:
        progress = read_json(folder / "state.json").get("progress")
    except (UsageError, AttributeError):  # a damaged record: the message still says what to do
        progress = None
    if not progress:
        return (f"{verb} {path}: {what}; the run in {folder} had no checkpoint yet, so it keeps nothing: "
                f"{fix} and run the command again")
    where = ", ".join(f"{key.replace('_', ' ')} {progress[key]}" for key in ("epochs_done", "episodes_done", "phase")
                      if key in progress)
    return (f"{verb} {path}: {what}; the run in {folder} is intact up to its last checkpoint"
            f"{f' ({where})' if where else ''}: {fix} and continue it with --resume")
