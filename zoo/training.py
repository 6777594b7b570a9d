"""The harness every training script shares: command line, fit, checkpoints, artifacts.

A script reads like the book's notebook with the boilerplate taken out:

    parser = training.make_parser("lenet", __doc__)
    args = training.parse_args(parser)
    run = training.Run(args, "lenet")
    train, validation = run.data(mnist.load(batch_size=run.global_batch_size, ...))
    model = run.build_or_resume(build_and_compile)
    run.fit(model, train, validation)
    run.finish(model)

Each run writes into its output folder: ``model.keras``, ``checkpoints/`` (the last and the
best epoch, for ``--resume``), ``history.csv``, TensorBoard ``logs/``,
``learning_curves.png`` and ``metrics.json``, and prints ``RESULT {json}`` as its last line.
Every file is written under a temporary name and renamed, and an existing folder is never
reused without ``--resume`` or replaced without ``--overwrite``.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import math
import os
import shutil
import sys
import time
from pathlib import Path

from zoo import runtime  # first: it sets TensorFlow's log level before TensorFlow loads
from zoo import recipes
from zoo.files import atomic_path, write_json  # scripts use them as training.atomic_path etc.
from zoo.datasets import _sources
from zoo.datasets._sources import SOURCES, DataSourceError, resolve_data_dir

import keras

log = logging.getLogger("zoo")


class UsageError(ValueError):
    """A problem with what the user asked for; reported as one line, exit status 2."""


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite."""


# ----------------------------------------------------------------------------- command line

class ArgumentParser(argparse.ArgumentParser):
    """argparse, but an argument error is one line on stderr and exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive integer")
    return value


def make_parser(model: str, description: str | None = None, *, epochs: int | None = None,
                batch_size: int | None = None, data: bool = True) -> ArgumentParser:
    """The common flags of DESIGN.md, with the book's epochs and batch size as defaults."""
    recipe = recipes.RECIPES.get(model)
    parser = ArgumentParser(
        description=(description or "").strip().splitlines()[0] if description else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    training = parser.add_argument_group("training")
    training.add_argument("--epochs", type=positive_int, default=epochs or (recipe and recipe.epochs) or 1)
    training.add_argument("--batch-size", type=positive_int, default=batch_size or (recipe and recipe.batch_size) or 32,
                          help="examples per replica (the global batch is this times the replicas)")
    if data:
        training.add_argument("--data", choices=SOURCES, default="auto",
                              help="full data, the bundled sample, or full when it can be had")
        training.add_argument("--data-dir", default=None, help="folder with the full data (default: $ZOO_DATA_DIR)")
    run = parser.add_argument_group("run")
    run.add_argument("--output-dir", default=str(Path("model_output") / model))
    run.add_argument("--device", default="auto", help=runtime.DEVICE_HELP)
    run.add_argument("--strategy", choices=runtime.STRATEGIES, default="auto")
    run.add_argument("--precision", choices=runtime.PRECISIONS, default="float32")
    run.add_argument("--seed", type=int, default=None, help="make the run repeatable")
    run.add_argument("--resume", action="store_true", help="continue the run in --output-dir from its last checkpoint")
    run.add_argument("--overwrite", action="store_true", help="replace an existing --output-dir")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def parse_args(parser: ArgumentParser, argv=None) -> argparse.Namespace:
    args = parser.parse_args(argv)
    if args.resume and args.overwrite:
        parser.error("--resume and --overwrite contradict each other")
    if getattr(args, "data_dir", None):
        try:
            resolve_data_dir(args.data_dir)
        except DataSourceError as error:
            parser.error(str(error))
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(message)s", stream=sys.stderr, force=True)
    return args


def _raised_by_the_zoo(error: BaseException) -> bool:
    """True when the innermost frame is the zoo's own code (a check of the user's input)."""
    traceback = error.__traceback__
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    origin = Path(traceback.tb_frame.f_code.co_filename).resolve()
    ours = (Path(__file__).resolve().parent, Path(_sources.__file__).resolve().parent)  # zoo/ and datasets/
    return any(folder in origin.parents for folder in ours)


def main(function) -> None:
    """Run a script's ``main()``, turning the user's mistakes into one line and exit status 2."""
    try:
        function()
    except (UsageError, DataSourceError, runtime.RuntimeConfigError, ValueError) as error:
        ours = isinstance(error, (UsageError, DataSourceError, runtime.RuntimeConfigError))
        if os.environ.get("ZOO_DEBUG") or not (ours or _raised_by_the_zoo(error)):
            raise  # a ValueError inside Keras or TensorFlow needs its traceback
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    except TrainingDiverged as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted; continue with --resume", file=sys.stderr)
        sys.exit(130)


# ----------------------------------------------------------------------------- files

def save_model(model, path) -> Path:
    with atomic_path(path) as temporary:
        model.save(temporary)
    return Path(path)


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


def _truncate_history(path: Path, epochs: int) -> None:
    """Keep only the rows of completed, checkpointed epochs, so a resumed history is continuous."""
    if not path.exists():
        return
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    kept = rows[:1] + [row for row in rows[1:] if row and int(row[0]) < epochs]
    with atomic_path(path) as temporary, open(temporary, "w", newline="") as handle:
        csv.writer(handle).writerows(kept)


# ----------------------------------------------------------------------------- callbacks

class EpochCheckpoint(keras.callbacks.Callback):
    """The last and the best epoch, saved atomically, plus the state ``--resume`` reads.

    Keras' ModelCheckpoint writes in place, so a run killed mid-save would lose its only
    checkpoint; this one writes to a temporary name and renames. ``state.json`` is written
    last and records the optimizer's step count, so a run killed between the renames is
    recognised on resume (see ``Run.build_or_resume``).
    """

    def __init__(self, folder: Path, monitor: str, mode: str = "max", best: float | None = None):
        super().__init__()
        self.folder, self.monitor, self.mode, self.best = Path(folder), monitor, mode, best

    def _improved(self, value: float) -> bool:
        if self.best is None:
            return True
        return value > self.best if self.mode == "max" else value < self.best

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if not math.isfinite(float(logs.get("loss", 0.0))):
            return  # never checkpoint a diverged model
        save_model(self.model, self.folder / "last.keras")
        value = logs.get(self.monitor)
        if value is not None and math.isfinite(float(value)) and self._improved(float(value)):
            self.best = float(value)
            _same_file_as(self.folder / "last.keras", self.folder / "best.keras")
        write_json(self.folder / "state.json",
                   {"epochs_done": epoch + 1, "monitor": self.monitor, "mode": self.mode, "best": self.best,
                    "optimizer_iterations": optimizer_iterations(self.model)})


def _same_file_as(source: Path, path: Path) -> None:
    """Make ``path`` hold what ``source`` holds: a hard link where the file system allows
    (AlexNet's checkpoint with its Adam state is 263 MB; writing it twice doubled the cost),
    else a copy; renamed into place either way."""
    with atomic_path(path) as temporary:
        try:
            os.link(source, temporary)
        except OSError:
            shutil.copyfile(source, temporary)


def optimizer_iterations(model) -> int | None:
    """How many updates the model's optimizer has applied (None when it has no optimizer);
    for the GAN, whose two optimisers step together, the discriminator's."""
    optimizer = getattr(model, "optimizer", None) or getattr(model, "d_optimizer", None)
    return None if optimizer is None else int(keras.ops.convert_to_numpy(optimizer.iterations))


class DivergenceGuard(keras.callbacks.TerminateOnNaN):
    """TerminateOnNaN that remembers where it stopped, so the run can exit non-zero."""

    def __init__(self):
        super().__init__()
        self.diverged_in_epoch = None
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.diverged_in_epoch = self._epoch + 1
        super().on_batch_end(batch, logs)


# ----------------------------------------------------------------------------- a run

class Run:
    """One training run: its output folder, runtime, checkpoints and final artifacts."""

    def __init__(self, args: argparse.Namespace, model: str, monitor: str | None = None, mode: str | None = None):
        self.args, self.model_name = args, model
        self.recipe = recipes.RECIPES.get(model)
        self.monitor = monitor or (self.recipe.monitor if self.recipe else "val_loss")
        self.mode = mode or (self.recipe.mode if self.recipe else "min")
        self.started = time.perf_counter()
        self.output_dir = Path(args.output_dir)
        self._check_output_dir()
        self.runtime = runtime.configure(args.device, args.strategy, args.precision, args.seed, quiet=args.quiet)
        if not self.runtime.is_chief:
            # Every worker must save (saving is collective), but only the chief into the real folder.
            self.output_dir = self.output_dir.with_name(f"{self.output_dir.name}.worker{self.runtime.worker_index}")
        self.initial_epoch = 0
        self._best = None
        self._prepared = False
        self.data_info = None

    # -- the output folder: checked now, created (or replaced) at the first write
    def _check_output_dir(self) -> None:
        folder = self.output_dir
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"--output-dir {folder} exists and is not a folder")
        if folder.exists() and any(folder.iterdir()) and not (self.args.resume or self.args.overwrite):
            raise UsageError(f"--output-dir {folder} already holds a run; pass --resume to continue it "
                             f"or --overwrite to replace it")

    def path(self, name: str) -> Path:
        """A path inside the output folder, creating the folder on first use."""
        if not self._prepared:
            if self.args.overwrite and self.output_dir.exists():
                shutil.rmtree(self.output_dir)
            self.output_dir.mkdir(parents=True, exist_ok=True)
            self._prepared = True
        return self.output_dir / name

    @property
    def checkpoint_dir(self) -> Path:
        return self.output_dir / "checkpoints"

    @property
    def global_batch_size(self) -> int:
        return self.args.batch_size * self.runtime.replicas

    def data(self, loaded):
        """Record where the data came from (``loaded.info``) and return ``(train, validation)``."""
        self.data_info = getattr(loaded, "info", None)
        return tuple(loaded)

    def resume_state(self) -> dict | None:
        state = self.checkpoint_dir / "state.json"
        if self.args.resume and state.exists() and (self.checkpoint_dir / "last.keras").exists():
            return json.loads(state.read_text())
        return None

    def build_or_resume(self, build_and_compile):
        """The model from the last checkpoint with ``--resume``, else ``build_and_compile()``;
        either way inside the strategy's scope."""
        with self.runtime.scope():
            state = self.resume_state()
            if state is not None:
                model = keras.models.load_model(self.checkpoint_dir / "last.keras")
                self.initial_epoch, self._best = state["epochs_done"], state.get("best")
                recorded, saved = state.get("optimizer_iterations"), optimizer_iterations(model)
                if recorded is not None and saved is not None and saved > recorded:
                    # killed after last.keras was replaced but before state.json was: the
                    # checkpoint (and history.csv, written first) already hold one more epoch
                    self.initial_epoch += 1
                    self._recount_best()
                    log.info("the last checkpoint is one epoch ahead of state.json; counting it")
                log.info(f"resuming {self.output_dir} after epoch {self.initial_epoch}")
                return model
            if self.args.resume:
                log.warning(f"nothing to resume in {self.output_dir}; starting a new run")
            return build_and_compile()

    def _recount_best(self) -> None:
        """The best epoch from history.csv, after counting an epoch state.json missed; when
        that epoch is the best, best.keras becomes its checkpoint (the kill may have come first)."""
        scores = read_history(self.path("history.csv")).get(self.monitor, [])[: self.initial_epoch]
        finite = [score for score in scores if math.isfinite(score)]
        if not finite:
            return
        self._best = max(finite) if self.mode == "max" else min(finite)
        if scores[-1] == self._best:
            _same_file_as(self.checkpoint_dir / "last.keras", self.checkpoint_dir / "best.keras")

    def fit(self, model, train, validation=None, epochs: int | None = None, callbacks=(), **fit_kwargs) -> dict:
        """``model.fit`` with the harness's callbacks; returns the whole history (resumed runs too)."""
        epochs = epochs or self.args.epochs
        history_csv = self.path("history.csv")
        if self.initial_epoch >= epochs:
            log.info(f"{self.output_dir} already holds {self.initial_epoch} epochs; nothing to train")
            return read_history(history_csv)
        if self.initial_epoch:
            _truncate_history(history_csv, self.initial_epoch)
        guard = DivergenceGuard()
        harness_callbacks = [
            guard,
            keras.callbacks.CSVLogger(str(history_csv), append=self.initial_epoch > 0),
            keras.callbacks.TensorBoard(log_dir=str(self.path("logs"))),
            EpochCheckpoint(self.checkpoint_dir, self.monitor, self.mode, best=self._best),
        ]
        model.fit(train, validation_data=validation, epochs=epochs, initial_epoch=self.initial_epoch,
                  callbacks=harness_callbacks + list(callbacks), verbose=0 if self.args.quiet else "auto",
                  **{"shuffle": False, **fit_kwargs})  # loaders shuffle; fit would only warn
        if guard.diverged_in_epoch is not None:
            raise TrainingDiverged(f"the loss became NaN in epoch {guard.diverged_in_epoch}; "
                                   f"no model was saved (checkpoints hold the last good epoch)")
        return read_history(history_csv)

    def history(self) -> dict:
        return read_history(self.output_dir / "history.csv")

    def finish(self, model=None, metrics: dict | None = None, model_file: str = "model.keras") -> dict:
        """Save the model, the learning curves and metrics.json; print the RESULT line."""
        from zoo import plots

        history = self.history()
        result = {"model": self.model_name}
        if self.data_info is not None:
            result.update(dataset=self.data_info.name, data=self.data_info.source, data_origin=self.data_info.origin,
                          n_train=self.data_info.n_train, n_validation=self.data_info.n_validation)
        if history:
            result["epochs"] = len(history["epoch"])
            for key in history:
                if key.startswith("val_"):
                    result[key] = history[key][-1]
            best = (max if self.mode == "max" else min)(history[self.monitor]) if self.monitor in history else None
            result[f"best_{self.monitor}"] = best
        result.update(metrics or {})
        if self.recipe is not None:
            reference = self.recipe.reference
            result["book"] = {"metric": reference.metric, "value": reference.value, "note": reference.note}
        result.update(self.runtime.as_dict())
        result["wall_time_s"] = round(time.perf_counter() - self.started, 2)
        if model is not None:
            save_model(model, self.path(model_file))
            result["model_file"] = str(self.output_dir / model_file)
        if history:
            plots.save(plots.learning_curves(history, title=self.model_name), self.path("learning_curves.png"))
        write_json(self.path("metrics.json"), result)
        print("RESULT " + json.dumps(result, default=str), flush=True)
        return result


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
