"""``Run``: one training run's output folder, lock, state, checkpoints and artifacts.

Every script, ``fit``-based or with its own loop, follows one contract:

    parser = cli.make_parser("lenet", __doc__)
    args = cli.parse_args(parser)
    run = training.Run(args, "lenet")          # the folder checked and locked; nothing written
    train, validation = run.data(mnist.load(batch_size=run.global_batch_size, ...))  # read in full
    model = run.build_or_resume(build_and_compile)
    run.fit(model, train, validation)          # the first checkpoint creates (or replaces) the folder
    run.finish(model)

- A new run writes nothing until its data is read; its files go into ``--output-dir`` from
  then on, but if it fails before its first checkpoint the folder is put back as it was
  (with ``--overwrite``: the previous run, which was set aside meanwhile).
- ``--overwrite`` replaces only a folder that holds a zoo run (``state.json``); ``--resume``
  refuses another model's folder or a changed setting (see ``cli.MAY_CHANGE_ON_RESUME``).
- One process at a time per folder (``.<name>.lock`` beside it).
- ``state.json`` records what defines the run, where it stands (``progress``), the command,
  the versions and the time spent, summed over resumed segments.

Scripts with their own loops hand the run what to save and how to load it:
``run.restore(start, resume)`` and ``run.checkpoint(save, progress, snapshot=True)`` (each
checkpoint in a folder of its own, which ``state.json`` names, so a kill mid-save keeps the
previous one).
"""

from __future__ import annotations

import atexit
import json
import logging
import math
import os
import platform
import shlex
import shutil
import sys
import time
import zipfile
from pathlib import Path

from zoo import runtime  # first: it sets TensorFlow's log level before TensorFlow loads
from zoo import cli, recipes
from zoo.common import load_weights
from zoo.checkpoints import (
    DivergenceGuard,
    EpochCheckpoint,
    optimizer_iterations,
    read_history,
    same_file_as,
    save_model,
    truncate_history,
)
from zoo.datasets import DataInfo
from zoo.cli import MAY_CHANGE_ON_RESUME, UsageError
from zoo.files import FolderBusy, FolderLock, glob_escape, non_finite_keys, write_json

import keras

log = logging.getLogger("zoo")

STATE_FILE = "state.json"
STATE_FORMAT = 1
LEGACY_STATE = Path("checkpoints") / "state.json"  # where runs of zoo 0.1 kept it


def read_state(folder: Path) -> dict | None:
    """A folder's ``state.json``, or None when it holds none."""
    path = Path(folder) / STATE_FILE
    if not path.is_file():
        return None
    try:
        state = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"{path} is damaged ({error}); this folder's run cannot be continued") from None
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        raise UsageError(f"{path} is not a state file of this version of the zoo")
    return state




def _shown(value) -> str:
    return "(not given)" if value is None else json.dumps(value)


def versions() -> dict:
    import zoo

    found = {"zoo": zoo.__version__, "python": platform.python_version(), "keras": keras.__version__,
             "backend": keras.backend.backend()}
    if "tensorflow" in sys.modules:
        found["tensorflow"] = sys.modules["tensorflow"].__version__
    return found


class Run:
    """One training run: its output folder, runtime, checkpoints and final artifacts.

    Args:
        args: the parsed command line (``cli.parse_args``).
        model: the zoo's model name (also the recipe's).
        monitor, mode: what picks the best checkpoint (default: the recipe's).
        settings: defining settings the command line does not show as such (values a script
            resolved from a preset, say); they join the flags in ``state.json``.
    """

    def __init__(self, args, model: str, monitor: str | None = None, mode: str | None = None,
                 settings: dict | None = None):
        self.args, self.model_name = args, model
        self.recipe = recipes.RECIPES.get(model)
        self.monitor = monitor or getattr(self.recipe, "monitor", None) or "val_loss"
        self.mode = mode or getattr(self.recipe, "mode", None) or "min"
        self.started = time.perf_counter()
        # a script without --strategy (the DQN agents) trains on one device, whatever the machine has
        self.runtime = runtime.configure(getattr(args, "device", "auto"), getattr(args, "strategy", "default"),
                                         getattr(args, "precision", "float32"), getattr(args, "seed", None),
                                         quiet=True)  # described once the folder is checked
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
        changeable = set(getattr(self.args, "may_change_on_resume", MAY_CHANGE_ON_RESUME)) | {"may_change_on_resume", "flags"}
        settings = {key: value for key, value in sorted(vars(self.args).items()) if key not in changeable}
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
        for key in sorted(recorded.keys() & self.settings.keys(), key=lambda key: (key in self._resolved, key)):
            if recorded[key] != self.settings[key]:
                what = f"the setting {key}" if key in self._resolved else self._flag(key)
                raise UsageError(
                    f"--resume: the run in {folder} was started with {what} {_shown(recorded[key])}, "
                    f"this command gives {_shown(self.settings[key])}; a resumed run keeps its settings "
                    f"(only {', '.join(self._flag(k) for k in sorted(self._changeable()))} may change)")

    def _flag(self, setting: str) -> str:
        return getattr(self.args, "flags", {}).get(setting, f"--{setting.replace('_', '-')}")

    def _changeable(self) -> set:
        flags = set(getattr(self.args, "may_change_on_resume", MAY_CHANGE_ON_RESUME))
        return {key for key in flags if hasattr(self.args, key)} - {"resume", "overwrite", "output_dir"}

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
        ``folder`` is ``checkpoints/`` itself (Keras' last/best files, saved one by one)."""
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

    # -- models
    def restore(self, start, resume):
        """``start()`` for a new run, ``resume(checkpoint_dir, progress)`` to continue one;
        either way inside the strategy's scope."""
        with self.runtime.scope():
            if not self.resuming:
                return start()
            restored = resume(self.snapshot_dir, self.progress)
        where = f"after epoch {self.initial_epoch}" if self.initial_epoch else self._describe_progress()
        log.info(f"resuming {self.output_dir} {where}")
        return restored

    def build_or_resume(self, build_and_compile, weights_into=None, start_weights: bool = True):
        """The model from the last checkpoint when resuming, else ``build_and_compile()`` with
        ``--weights`` loaded into it (or into ``weights_into(model)``: ``(network, zoo name)``,
        for a model whose weights are one of its parts, as the GAN's generator).
        ``start_weights=False``: the script's --weights mean something else (VGG19's base)."""
        def start():
            model = build_and_compile()
            weights = getattr(self.args, "weights", None) if start_weights else None
            if weights is not None:
                network, zoo_name = weights_into(model) if weights_into else (model, self.model_name)
                try:
                    load_weights(network, weights, zoo_name)
                except ValueError as error:  # its words name weights=...; the user typed --weights
                    message = cli.one_line(error).replace(f"weights={str(weights)!r}", f"--weights {weights}", 1)
                    raise UsageError(message) from None
                log.info(f"starting from the weights {weights}")
            return model

        return self.restore(start, self._load_last)

    def _load_last(self, folder: Path, progress: dict):
        path = folder / "last.keras"
        try:
            model = keras.models.load_model(path)
        except (OSError, ValueError, zipfile.BadZipFile) as error:
            raise UsageError(f"--resume: cannot read the checkpoint {path} ({cli.one_line(error)}); "
                             f"--overwrite starts the run anew") from None
        recorded, saved = progress.get("optimizer_iterations"), optimizer_iterations(model)
        if recorded is not None and saved is not None and saved > recorded:
            # killed after last.keras was replaced but before state.json was: the
            # checkpoint (and history.csv, written first) already hold one more epoch
            self.initial_epoch += 1
            self._recount_best()
            log.info("the last checkpoint is one epoch ahead of state.json; counting it")
        return model

    def _describe_progress(self) -> str:
        shown = {key: value for key, value in self.progress.items() if isinstance(value, (int, float, str))}
        return "after " + ", ".join(f"{key} {value}" for key, value in shown.items())

    def _recount_best(self) -> None:
        """The best epoch from history.csv, after counting an epoch state.json missed; when
        that epoch is the best, best.keras becomes its checkpoint (the kill may have come first)."""
        scores = read_history(self.output_dir / "history.csv").get(self.monitor, [])[: self.initial_epoch]
        finite = [score for score in scores if math.isfinite(score)]
        if not finite:
            return
        self._best = max(finite) if self.mode == "max" else min(finite)
        if scores[-1] == self._best:
            same_file_as(self.checkpoint_dir / "last.keras", self.checkpoint_dir / "best.keras")

    def fit(self, model, train, validation=None, epochs: int | None = None, callbacks=(), **fit_kwargs) -> dict:
        """``model.fit`` with the harness's callbacks; returns the whole history (resumed runs too)."""
        epochs = epochs or self.args.epochs
        history_csv = self.path("history.csv")
        if self.initial_epoch >= epochs:
            log.info(f"{self.output_dir} already holds {self.initial_epoch} epochs; nothing to train")
            return read_history(history_csv)
        if self.initial_epoch:
            truncate_history(history_csv, self.initial_epoch)
        guard = DivergenceGuard()
        harness_callbacks = [
            guard,
            keras.callbacks.CSVLogger(str(history_csv), append=self.initial_epoch > 0),
            keras.callbacks.TensorBoard(log_dir=str(self.path("logs"))),
        ]
        # the checkpoint comes after the script's callbacks, so an epoch's files are all written when it is taken
        checkpoint = EpochCheckpoint(self, self.monitor, self.mode, best=self._best)
        model.fit(train, validation_data=validation, epochs=epochs, initial_epoch=self.initial_epoch,
                  callbacks=harness_callbacks + list(callbacks) + [checkpoint],
                  verbose=0 if self.args.quiet else "auto",
                  **{"shuffle": False, **fit_kwargs})  # loaders shuffle; fit would only warn
        self._best = checkpoint.best
        self.initial_epoch = max(self.initial_epoch, self.progress.get("epochs_done", 0))
        guard.raise_if_diverged()
        return read_history(history_csv)

    def history(self) -> dict:
        return read_history(self.output_dir / "history.csv")

    def finish(self, model=None, metrics: dict | None = None, model_file: str = "model.keras") -> dict:
        """Save the model, the learning curves and metrics.json; print the RESULT line."""
        from zoo import plots

        history = self.history()
        result = {"model": self.model_name}
        data = self._data_record()
        if data is not None:
            result.update(dataset=data["dataset"], data=data["source"], data_origin=data["origin"],
                          n_train=data["n_train"], n_validation=data["n_validation"])
        if history:
            result["epochs"] = len(history["epoch"])
            for key in history:
                if key.startswith("val_"):
                    result[key] = history[key][-1]
            best = (max if self.mode == "max" else min)(history[self.monitor]) if self.monitor in history else None
            result[f"best_{self.monitor}"] = best
        result.update(metrics or {})
        if self.recipe is not None and "book" not in result:
            reference = self.recipe.reference
            result["book"] = {"metric": reference.metric, "value": reference.value, "note": reference.note}
        result.update(self.runtime.as_dict())
        result["wall_time_s"] = round(self.elapsed(), 2)
        result["segments"] = self._segment
        if model is not None:
            save_model(model, self.path(model_file))
            result["model_file"] = str(self.output_dir / model_file)
        if history:
            plots.save(plots.learning_curves(history, title=self.model_name), self.path("learning_curves.png"))
        missing = non_finite_keys(result)
        if missing:
            result["non_finite"] = {"keys": missing, "note": "NaN or infinite values are written as null"}
        written = json.loads(write_json(self.path("metrics.json"), result).read_text())
        self._write_state(self.progress, finished=True)
        self._commit()
        print("RESULT " + json.dumps(written), flush=True)
        self.close()
        return written


def class_metrics(model, validation, class_names, plot_path=None, title: str = "") -> dict:
    """Per-class validation accuracy and the confusion matrix (drawn into ``plot_path`` if given)."""
    import numpy as np
    from sklearn.metrics import confusion_matrix

    from zoo import plots

    true, predicted = [], []
    for images, labels in validation:
        true.append(np.argmax(labels, axis=1))
        predicted.append(np.argmax(model.predict_on_batch(images), axis=1))
    matrix = confusion_matrix(np.concatenate(true), np.concatenate(predicted), labels=range(len(class_names)))
    if plot_path is not None:
        plots.save(plots.confusion_matrix(matrix, class_names, title=title), plot_path)
    totals = matrix.sum(axis=1)
    per_class = {name: (float(matrix[i, i] / totals[i]) if totals[i] else None) for i, name in enumerate(class_names)}
    return {"per_class_accuracy": per_class, "confusion_matrix": matrix.tolist()}
