"""A run's output folder: the one place that reads and writes a run's records.

The lock (``.<name>.lock`` beside the folder, one process at a time), ``state.json`` (what
defines the run, where it stands, the command, versions and time spent), the resume and
overwrite checks, checkpoint bookkeeping and the finish record (``metrics.json`` and the
``RESULT`` line). It imports no Keras and no backend: ``zoo.training.Run`` builds on it, and
``scripts/export_weights.py`` (through ``zoo.pretrained``) reads finished runs with it.

- A new run writes nothing until its data is read; its files go into ``--output-dir`` from
  then on, but if it fails before its first checkpoint the folder is put back as it was
  (with ``--overwrite``: the previous run, which was set aside meanwhile).
- ``--overwrite`` replaces only a folder that holds a zoo run (``state.json``); ``--resume``
  refuses another model's folder or a changed setting (the settings marked ``on_resume`` in ``zoo.config`` may change).
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import logging
import os
import shlex
import shutil
import sys
import time
from pathlib import Path

from zoo import stopping
from zoo.datasets import DataInfo
from zoo.errors import UsageError
from zoo.files import FolderBusy, FolderLock, glob_escape, non_finite_keys, write_json
from zoo.runrecords import LEGACY_STATE, METRICS_FILE, STATE_FILE, STATE_FORMAT, print_result, read_state, versions

log = logging.getLogger("zoo")

def _shown(value) -> str:
    return "(not given)" if value is None else json.dumps(value)


class RunFolder:
    """One run's output folder: its lock, ``state.json``, checkpoints' bookkeeping and finish record.

    Args:
        args: the script's settings (``zoo.config.parse``).
        model: the zoo's model name.
        runtime: where the run computes (``zoo.runtime.Runtime``: ``is_chief``, ``worker_index``,
            ``replicas``, ``describe()``, ``as_dict()``), recorded in ``state.json``.
        settings: defining settings the command line does not show as such (values a script
            resolved from a preset, say); they join the flags in ``state.json``.
    """

    def __init__(self, args, model: str, runtime, settings: dict | None = None):
        self.args, self.model_name, self.runtime = args, model, runtime
        self.started = time.perf_counter()
        # the real folder: a symlink or "." names the same lock, and is renamed aside as itself
        self.output_dir = Path(args.output_dir).expanduser().resolve()
        if not self.runtime.is_chief:
            # Every worker must save (saving is collective), but only the chief into the real folder.
            self.output_dir = self.output_dir.with_name(f"{self.output_dir.name}.worker{self.runtime.worker_index}")
        self.settings = self._defining_settings(settings)
        self.data_info = None
        self._prepared = self._committed = False
        self._mode = "new"
        self._clear_leftovers = False
        self._set_aside: Path | None = None
        blocking = next((folder for folder in self.output_dir.parents if folder.exists() and not folder.is_dir()), None)
        if blocking is not None:
            raise UsageError(f"--output-dir {self.output_dir}: {blocking} is a file, not a folder")
        # folders the lock needs that do not exist yet: removed again if the run writes nothing
        self._created_parents = [folder for folder in self.output_dir.parents if not folder.exists()]
        self._lock = FolderLock(self.output_dir)
        try:
            self._lock.acquire()
        except FolderBusy as holder:
            raise UsageError(f"--output-dir {self.output_dir} is in use by {holder}; let that run finish "
                             f"or choose another --output-dir") from None
        atexit.register(self.close)
        try:
            self._recover_interrupted_overwrite()
            self.previous = self._check_output_dir()
        except BaseException:
            self.close()
            raise
        self.resuming = self.previous is not None and bool(self.previous.get("progress"))
        self._committed = self.resuming  # a resumed folder is a run already; a failure keeps it
        self.progress = dict(self.previous["progress"]) if self.resuming else {}
        self.initial_epoch = self.progress.get("epochs_done", 0)
        self._best = self.progress.get("best")
        self._earlier_wall_time = self.previous.get("wall_time_s", 0.0) if self.resuming else 0.0
        self._segment = self.previous.get("segments", 0) + 1 if self.resuming else 1
        # figures measured once at the start (an untrained baseline, say), kept across segments
        self.notes = dict(self.previous.get("notes") or {}) if self.resuming else {}

    # -- what defines the run
    def _defining_settings(self, extra) -> dict:
        settings = dict(sorted(self.args.defining().items()))
        extra = dict(extra or {})
        if hasattr(self.args, "strategy"):
            extra["replicas"] = self.runtime.replicas  # the global batch is per-replica batch x replicas
        self._resolved = set(extra) - set(settings)
        settings.update(extra)
        return json.loads(json.dumps(settings, default=str))

    def _check_resumable(self, state: dict) -> None:
        folder = self.output_dir
        if state.get("model") != self.model_name:
            raise UsageError(f"--resume: {folder} holds a {state.get('model')} run "
                             f"({state.get('script', 'another script')}), not {self.model_name}")
        recorded = state.get("settings", {})
        # the flags as typed first: a value resolved from them (a preset's batch size) differs only because they do
        order = lambda key: (key in self._resolved, key in self.args.derived, key)  # noqa: E731
        for key in sorted(recorded.keys() & self.settings.keys(), key=order):
            if recorded[key] != self.settings[key]:
                what = f"the setting {key}" if key in self._resolved else self._flag(key)
                raise UsageError(
                    f"--resume: the run in {folder} was started with {what} {_shown(recorded[key])}, "
                    f"this command gives {_shown(self.settings[key])}; a resumed run keeps its settings "
                    f"(only {', '.join(self._flag(k) for k in sorted(self._changeable()))} may change)")

    def _flag(self, setting: str) -> str:
        return self.args.flag(setting)

    def _changeable(self) -> set:
        return set(self.args.changeable()) - {"resume", "overwrite", "output_dir"}

    # -- the output folder: checked now, written only after the data is read
    def _check_output_dir(self) -> dict | None:
        """The state of the run to continue (None for a new run); refuses what must not be touched."""
        folder, args = self.output_dir, self.args
        resume, overwrite = getattr(args, "resume", False), getattr(args, "overwrite", False)
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"--output-dir {folder} exists and is not a folder")
        if not folder.exists() or not any(folder.iterdir()):
            if resume:
                log.warning(f"nothing to resume in {folder}; starting a new run")
            self._mode = "new"
            return None
        try:
            state = read_state(folder)
        except UsageError:
            if overwrite:  # a damaged state file still marks the folder as a zoo run
                self._mode = "replace"
                return None
            raise
        if state is None:
            if not (folder / LEGACY_STATE).is_file():
                raise UsageError(f"--output-dir {folder} holds files but no zoo run (no {STATE_FILE}); the zoo "
                                 f"replaces only its own runs: choose another --output-dir")
            if overwrite:
                self._mode = "replace"
                return None
            raise UsageError(f"--output-dir {folder} holds a run of an older zoo version, which cannot be "
                             f"resumed; pass --overwrite to replace it")
        if not state.get("progress") and not state.get("finished"):
            # a run killed before its first checkpoint (the lock is ours, so its process is gone):
            # the folder was empty before it, and is emptied again at this run's first write
            log.warning(f"{folder} holds the files of a run that was killed before its first checkpoint; "
                        f"they will be replaced")
            self._mode, self._clear_leftovers = "new", True
            return None
        if not (resume or overwrite):
            raise UsageError(f"--output-dir {folder} already holds a run; pass --resume to continue it "
                             f"or --overwrite to replace it")
        if overwrite:
            self._mode = "replace"
            return None
        self._check_resumable(state)
        if not state.get("progress"):
            log.warning(f"the run in {folder} stopped before its first checkpoint; starting it anew")
            self._mode = "replace"
            return None
        self._mode = "resume"
        return state

    def _recover_interrupted_overwrite(self) -> None:
        """A run killed between setting the previous run aside and its own first checkpoint
        left the previous run hidden beside the folder: put it back (or drop it, when the
        new run did checkpoint)."""
        for aside in self.output_dir.parent.glob(f".{glob_escape(self.output_dir.name)}.replaced*"):
            try:
                state = read_state(self.output_dir) if self.output_dir.is_dir() else None
            except UsageError:
                state = None
            if state is not None and state.get("progress"):
                shutil.rmtree(aside, ignore_errors=True)
                continue
            if self.output_dir.exists():
                shutil.rmtree(self.output_dir)
            os.replace(aside, self.output_dir)
            log.warning(f"restored the run in {self.output_dir} that an interrupted --overwrite had set aside")

    def _empty_folder(self) -> None:
        for child in self.output_dir.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()

    def _prepare(self) -> None:
        """Create the folder for a new run (setting a replaced run aside) at the first write."""
        if self._prepared:
            return
        log.info(self.runtime.describe())  # here, so that bad data is reported in one line
        if self._mode == "replace" and self.output_dir.exists():
            self._set_aside = self.output_dir.with_name(f".{self.output_dir.name}.replaced{os.getpid()}")
            os.replace(self.output_dir, self._set_aside)
        if self._clear_leftovers:
            self._empty_folder()
        self._existed_empty = self.output_dir.is_dir() and self._set_aside is None
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self._prepared = True
        if self._mode != "resume":
            self._write_state(progress=None)

    def path(self, name: str) -> Path:
        """A path inside the output folder (the folder is made at the first one asked for)."""
        self._prepare()
        return self.output_dir / name

    @property
    def checkpoint_dir(self) -> Path:
        return self.output_dir / "checkpoints"

    @property
    def global_batch_size(self) -> int:
        return self.args.batch_size * self.runtime.replicas

    def elapsed(self) -> float:
        """Seconds this run has taken, over all its segments."""
        return self._earlier_wall_time + time.perf_counter() - self.started

    # -- state.json
    def _write_state(self, progress, finished: bool = False) -> None:
        state = {
            "format": STATE_FORMAT,
            "model": self.model_name,
            "script": Path(sys.argv[0]).name if sys.argv and sys.argv[0] else None,
            "settings": self.settings,
            # everything this segment ran with, the settings that may change on resume too
            "config": json.loads(json.dumps(dataclasses.asdict(self.args), default=str)),
            "data": self._data_record(),
            "progress": progress,
            "notes": self.notes,
            "finished": finished,
            "segments": self._segment,
            "wall_time_s": round(self.elapsed(), 2),
            "command": shlex.join([Path(sys.executable).name, *sys.argv]),
            "versions": versions(),
            "runtime": self.runtime.as_dict(),
        }
        write_json(self.output_dir / STATE_FILE, state)

    def _data_record(self) -> dict | None:
        info = self.data_info
        if info is None:
            return self.previous.get("data") if self.resuming else None
        return {"dataset": info.name, "source": info.source, "origin": str(info.origin),
                "n_train": info.n_train, "n_validation": info.n_validation}

    def checkpoint(self, save=None, progress=None, snapshot: bool = False) -> None:
        """``save(folder)`` writes the checkpoint's files; then ``state.json`` records ``progress``
        (a dict, or a function returning one after the save), which a resumed run finds in
        ``run.progress``. The first checkpoint makes a new run's folder its own.

        With ``snapshot=True`` ``folder`` is a new folder inside ``checkpoints/``, which
        ``state.json`` then names: a run killed while saving keeps its previous checkpoint
        whole, and files and progress can never come from two different moments. Without it,
        ``folder`` is ``checkpoints/`` itself (Keras' last/best files, saved one by one).

        A stop signal during the save waits for it to end (``zoo.stopping``)."""
        with stopping.deferred():
            self._checkpoint(save, progress, snapshot)

    def _checkpoint(self, save, progress, snapshot: bool) -> None:
        self._prepare()
        self.checkpoint_dir.mkdir(parents=True, exist_ok=True)
        number = self.progress.get("snapshot_number", 0) + 1
        folder = self.checkpoint_dir / f"snapshot_{number:05d}" if snapshot else self.checkpoint_dir
        if snapshot and folder.exists():
            shutil.rmtree(folder)  # a save a kill interrupted: state.json never named it
        if save is not None:
            save(folder)
        self.progress = dict(progress() if callable(progress) else (progress or {}))
        if snapshot:
            self.progress.update(snapshot=folder.name, snapshot_number=number)
        self._write_state(self.progress)
        self._commit()
        if snapshot:
            for older in self.checkpoint_dir.glob("snapshot_*"):
                if older != folder:
                    shutil.rmtree(older)

    @property
    def snapshot_dir(self) -> Path:
        """The folder of the last checkpoint: its snapshot, or ``checkpoints/``."""
        return self.checkpoint_dir / self.progress.get("snapshot", "")

    def _commit(self) -> None:
        self._committed = True
        if self._set_aside is not None:
            shutil.rmtree(self._set_aside, ignore_errors=True)
            self._set_aside = None

    def close(self) -> None:
        """Put the folder back as it was if this run never reached a checkpoint; unlock it."""
        if not hasattr(self, "_lock"):
            return
        if self._prepared and not self._committed:
            if self._existed_empty:  # the user's own (empty) folder stays, with its permissions
                self._empty_folder()
            else:
                shutil.rmtree(self.output_dir, ignore_errors=True)
            if self._set_aside is not None:
                os.replace(self._set_aside, self.output_dir)
                self._set_aside = None
            self._prepared = False
        self._lock.release()
        if not self._committed:
            for folder in self._created_parents:  # made for the lock, nearest first; only while empty
                try:
                    folder.rmdir()
                except OSError:
                    break

    # -- data
    def data(self, loaded):
        """Record where the data came from (``loaded.info``, or a ``DataInfo`` itself) and return
        ``(train, validation)`` (or the ``DataInfo``); a resumed run must see the same data."""
        self.data_info = loaded if isinstance(loaded, DataInfo) else getattr(loaded, "info", None)
        recorded = self.previous.get("data") if self.resuming else None
        if recorded and self.data_info is not None:
            for key, value in self._data_record().items():
                if key != "origin" and recorded.get(key) != value:
                    raise UsageError(f"--resume: the run in {self.output_dir} trained on {key} {recorded.get(key)}, "
                                     f"this command's data gives {value}")
        return loaded if isinstance(loaded, DataInfo) else tuple(loaded)

    def write_finish(self, result: dict) -> dict:
        """The finish record: ``metrics.json`` (strict JSON; NaN and infinities become null and are
        listed), ``state.json`` marked finished, and the ``RESULT`` line; then the folder is unlocked."""
        stopping.check()  # a stopped run has no result, even if its signal's exception got lost
        result = dict(result)
        result["wall_time_s"] = round(self.elapsed(), 2)
        result["segments"] = self._segment
        missing = non_finite_keys(result)
        if missing:
            result["non_finite"] = {"keys": missing, "note": "NaN or infinite values are written as null"}
        written = json.loads(write_json(self.path(METRICS_FILE), result).read_text())
        self._write_state(self.progress, finished=True)
        self._commit()
        print_result(written)
        self.close()
        return written
