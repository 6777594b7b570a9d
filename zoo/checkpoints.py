"""Checkpoints and history of a Keras run: atomic saves, the epoch checkpoint, history.csv.

``EpochCheckpoint`` keeps ``checkpoints/last.keras`` and ``checkpoints/best.keras`` and hands
the epoch's progress to its :class:`zoo.training.Run`, which records it in ``state.json``.
"""

from __future__ import annotations

import csv
import math
import os
import shutil
from pathlib import Path

import keras

from zoo.cli import TrainingDiverged
from zoo.files import atomic_path


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


# ----------------------------------------------------------------------------- history.csv

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


# ----------------------------------------------------------------------------- callbacks

class EpochCheckpoint(keras.callbacks.Callback):
    """The last and the best epoch, saved atomically, then the run's state.

    Keras' ModelCheckpoint writes in place, so a run killed mid-save would lose its only
    checkpoint; this one writes to a temporary name and renames. ``state.json`` is written
    last and records the optimizer's step count, so a run killed between the renames is
    recognised on resume (see ``Run.build_or_resume``).
    """

    def __init__(self, run, monitor: str, mode: str = "max", best: float | None = None):
        super().__init__()
        self.run, self.monitor, self.mode, self.best = run, monitor, mode, best

    def _improved(self, value: float) -> bool:
        if self.best is None:
            return True
        return value > self.best if self.mode == "max" else value < self.best

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if not math.isfinite(float(logs.get("loss", 0.0))):
            return  # never checkpoint a diverged model

        def save(folder: Path) -> None:
            save_model(self.model, folder / "last.keras")
            value = logs.get(self.monitor)
            if value is not None and math.isfinite(float(value)) and self._improved(float(value)):
                self.best = float(value)
                same_file_as(folder / "last.keras", folder / "best.keras")

        self.run.checkpoint(save, lambda: {"epochs_done": epoch + 1, "monitor": self.monitor, "mode": self.mode,
                                           "best": self.best, "optimizer_iterations": optimizer_iterations(self.model)})


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
