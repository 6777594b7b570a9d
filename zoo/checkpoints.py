"""Checkpoints and history of a Keras run: atomic saves, the epoch checkpoint, history.csv.

``EpochCheckpoint`` keeps ``checkpoints/last.keras`` and ``checkpoints/best.keras`` and hands
the epoch's progress to its :class:`zoo.training.Run`, which records it in ``state.json``.
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import keras

from zoo import stopping
from zoo.errors import TrainingDiverged
from zoo.files import atomic_path
from zoo.runrecords import read_history, truncate_history  # noqa: F401  (history.csv is a run record)


def save_model(model, path) -> Path:
    with atomic_path(path) as temporary:
        model.save(temporary)
    return Path(path)


def same_file_as(source: Path, path: Path) -> None:
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


# ----------------------------------------------------------------------------- callbacks

class HistoryLogger(keras.callbacks.CSVLogger):
    """Keras' CSVLogger, but without the "NA" val_* columns it adds when fit has no validation
    data (the GAN's), so history.csv holds only what was measured."""

    def __init__(self, filename, append: bool = False, validation: bool = True):
        super().__init__(filename, append=append)
        self.validation = validation

    def on_epoch_end(self, epoch, logs=None):
        if self.keys is None and not self.validation:
            self.keys = sorted((logs or {}).keys())  # CSVLogger adds val_* keys only while it has none
        super().on_epoch_end(epoch, logs)


class EpochCheckpoint(keras.callbacks.Callback):
    """The last epoch (every ``every`` epochs and the final one) and the best, saved atomically,
    then the run's state.

    Keras' ModelCheckpoint writes in place, so a run killed mid-save would lose its only
    checkpoint; this one writes to a temporary name and renames. ``state.json`` is written
    last and records the optimizer's step count, so a run killed between the renames is
    recognised on resume (see ``Run.build_or_resume``). ``every`` > 1 spares the disk a large
    model's file (with the optimizer's state) each epoch; a resumed run goes on from the last one.
    """

    def __init__(self, run, monitor: str, mode: str = "max", best: float | None = None, every: int = 1):
        super().__init__()
        self.run, self.monitor, self.mode, self.best, self.every = run, monitor, mode, best, every

    def _improved(self, value: float) -> bool:
        if self.best is None:
            return True
        return value > self.best if self.mode == "max" else value < self.best

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if not math.isfinite(float(logs.get("loss", 0.0))):
            return  # never checkpoint a diverged model
        value = logs.get(self.monitor)
        improved = value is not None and math.isfinite(float(value)) and self._improved(float(value))
        last = (epoch + 1) % self.every == 0 or epoch + 1 >= self.params.get("epochs", epoch + 1)
        if not (last or improved):
            return
        if improved:
            self.best = float(value)

        def save(folder: Path) -> None:
            if last:
                save_model(self.model, folder / "last.keras")
                if improved:
                    same_file_as(folder / "last.keras", folder / "best.keras")
            else:
                save_model(self.model, folder / "best.keras")

        done = epoch + 1 if last else self.run.progress.get("epochs_done", 0)
        iterations = optimizer_iterations(self.model) if last else self.run.progress.get("optimizer_iterations")
        self.run.checkpoint(save, lambda: {"epochs_done": done, "monitor": self.monitor, "mode": self.mode,
                                           "best": self.best, "optimizer_iterations": iterations})


class StopOnSignal(keras.callbacks.Callback):
    """Stops ``fit`` at the next batch once SIGTERM or SIGINT has arrived (``zoo.stopping``), and
    after an epoch's checkpoint when it arrived during the epoch's end; last among the callbacks.

    It raises ``stopping.Stopped`` rather than setting ``model.stop_training``: Keras would then
    still run the validation pass and every ``on_epoch_end`` for the cut-short epoch (a half epoch
    checkpointed and logged as a whole one), while the scheduler that sent SIGTERM waits. The
    epoch in progress is lost; ``--resume`` trains it again from the last checkpoint.
    """

    def on_train_batch_end(self, batch, logs=None):
        stopping.check()

    def on_test_batch_end(self, batch, logs=None):
        stopping.check()

    def on_epoch_end(self, epoch, logs=None):
        stopping.check()


class DivergenceGuard(keras.callbacks.TerminateOnNaN):
    """TerminateOnNaN that remembers where it stopped and what the loss became."""

    def __init__(self):
        super().__init__()
        self.diverged_in_epoch = None
        self.loss = None
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.diverged_in_epoch, self.loss = self._epoch + 1, float(loss)
        super().on_batch_end(batch, logs)

    def raise_if_diverged(self) -> None:
        if self.diverged_in_epoch is not None:
            raise TrainingDiverged(f"the loss became {describe_non_finite(self.loss)} in epoch "
                                   f"{self.diverged_in_epoch}; no model was saved (checkpoints hold the last good epoch)")


def describe_non_finite(value: float) -> str:
    return "NaN" if math.isnan(value) else ("+infinite" if value > 0 else "-infinite")
