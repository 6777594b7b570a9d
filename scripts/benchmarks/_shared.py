"""What the benchmark sections share: one way of timing the book's way against the zoo's, one
way of turning the timings into a row, and what they ran on (for any Keras backend: the GPU
machines may lack TensorFlow).

Every row is timed the same way (:func:`alternate`):

- each side is one call doing a fixed amount of work: a block of GAN iterations or replay
  calls, long enough that a call's own set-up is small; or one epoch of ``fit`` (one pass of
  ``predict``), as training runs them, so the epoch's own set-up (data adapter, iterator,
  its first fetch, its deletion) counts as the epoch's cost: :class:`SetupMeter` measures it
  and the note gives its share;
- every side is called first, untimed (tracing, caches, thread pools);
- then the sides are timed in alternating rounds, the order reversed every other round
  (book, zoo, zoo, book, ...), so a busy CPU or a drifting clock slows them alike;
- each round gives a paired ratio; a row reports each side's median, the median of the
  ratios, and their minimum and maximum: the spread says how far to trust the median.
"""

from __future__ import annotations

import statistics
import time
from typing import Callable


def alternate(sides: dict[str, Callable[[], object]], rounds: int = 3, warmup: int = 1,
              clock: Callable[[], float] = time.perf_counter) -> dict[str, list[float]]:
    """Seconds of each timed call of every side, round by round.

    ``sides`` maps a name to a call doing a fixed amount of work. Each is called ``warmup``
    times untimed, then once per round, in the given order in even rounds and in reverse
    order in odd ones, so that no side always runs first (after a pause, or right after
    another side has filled the caches).
    """
    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 1:
        raise ValueError(f"rounds={rounds!r} is invalid: expected an integer >= 1")
    if len(sides) < 2:
        raise ValueError(f"sides={list(sides)} is invalid: expected at least two to compare")
    names = list(sides)
    for _ in range(warmup):
        for name in names:
            sides[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        for name in names if index % 2 == 0 else reversed(names):
            started = clock()
            sides[name]()
            times[name].append(clock() - started)
    return times


def speedups(baseline: list[float], zoo: list[float], baseline_amount: float = 1.0,
             zoo_amount: float = 1.0) -> list[float]:
    """Per round, the zoo's rate over the baseline's (above 1: the zoo is faster)."""
    if len(baseline) != len(zoo) or not baseline:
        raise ValueError(f"expected as many timed rounds of each side, got {len(baseline)} and {len(zoo)}")
    return [(zoo_amount / z) / (baseline_amount / b) for b, z in zip(baseline, zoo)]


def rounded(value: float, digits: int = 4) -> float:
    """``value`` to ``digits`` significant figures: rows range from 0.3 ms to 400,000 words/s."""
    return float(f"{value:.{digits}g}")


def row(section: str, case: str, baseline: list[float], zoo: list[float], *, unit: str, note: str,
        baseline_amount: float = 1.0, zoo_amount: float = 1.0, per: str = "second", scale: float = 1.0) -> dict:
    """A table row from the two sides' timed calls (seconds, paired by round).

    ``per="second"``: the columns are rates, ``amount / seconds`` (images/s); ``per="unit"``:
    times per unit of work, ``seconds / amount * scale`` (ms/call with ``scale=1000``). The
    ratio is always the speed-up, above 1 when the zoo is faster: the median of the rounds'
    paired ratios, with their minimum and maximum.
    """
    if per not in ("second", "unit"):
        raise ValueError(f"per={per!r} is invalid: expected 'second' or 'unit'")
    ratios = speedups(baseline, zoo, baseline_amount, zoo_amount)
    if per == "second":
        base = statistics.median(baseline_amount / seconds for seconds in baseline)
        mine = statistics.median(zoo_amount / seconds for seconds in zoo)
    else:
        base = statistics.median(seconds / baseline_amount * scale for seconds in baseline)
        mine = statistics.median(seconds / zoo_amount * scale for seconds in zoo)
    return {"section": section, "case": case, "baseline": rounded(base), "zoo": rounded(mine), "unit": unit,
            "ratio": rounded(statistics.median(ratios), 3), "ratio_min": rounded(min(ratios), 3),
            "ratio_max": rounded(max(ratios), 3), "rounds": len(ratios),
            "note": f"{note}; median of {len(ratios)} alternating rounds"}


class SetupMeter:
    """A Keras callback measuring what each ``fit`` or ``predict`` call spends outside its
    steady batches: ``meter.fit(model, ...)`` and ``meter.predict(model, ...)`` make the call
    with it and append to ``meter.steps`` its batches' seconds at their steady rate (the seconds
    from the first batch's end to the last's, per batch after the first, times the batches), and
    to ``meter.setups`` the rest of the call: making the data iterator, callbacks, deleting the
    iterator at the end, and the first batch's wait beyond a steady batch (a fresh iterator's
    first fetch), which a run pays with each new iterator, not with each batch. A call of one
    batch counts that batch as steady. Its hooks only read the clock."""

    def __new__(cls):
        import keras

        class _SetupMeter(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.first = self.first_end = self.last = None
                self.batches = 0
                self.setups: list[float] = []
                self.steps: list[float] = []

            def on_train_batch_begin(self, batch, logs=None):
                if self.first is None:
                    self.first = time.perf_counter()

            def on_train_batch_end(self, batch, logs=None):
                self.last = time.perf_counter()
                self.batches += 1
                if self.first_end is None:
                    self.first_end = self.last

            on_predict_batch_begin = on_train_batch_begin
            on_predict_batch_end = on_train_batch_end

            def _measured(self, call, *args, **kwargs):
                started = time.perf_counter()
                self.first = self.first_end = self.last = None
                self.batches = 0
                result = call(*args, callbacks=[self], **kwargs)
                ended = time.perf_counter()
                if self.batches > 1:
                    steady = (self.last - self.first_end) / (self.batches - 1) * self.batches
                else:
                    steady = self.last - self.first
                self.steps.append(steady)
                self.setups.append(max(ended - started - steady, 0.0))
                return result

            def fit(self, model, *args, **kwargs):
                return self._measured(model.fit, *args, **kwargs)

            def predict(self, model, *args, **kwargs):
                return self._measured(model.predict, *args, **kwargs)

        return _SetupMeter()


def setup_note(setups: list[float], seconds: list[float], what: str = "set-up") -> str:
    """'set-up 40 ms a call (2%)': the median set-up of the timed calls (the last
    ``len(seconds)`` of ``setups``; the first ones were warm-up calls) against their median."""
    setup, call = statistics.median(setups[-len(seconds):]), statistics.median(seconds)
    return f"{what} {setup * 1000:.0f} ms a call ({100 * setup / call:.0f}%)"


def accelerator() -> str:
    """'GPU' when the Keras backend computes on a GPU, else 'CPU'."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return "GPU" if tf.config.list_logical_devices("GPU") else "CPU"
    if backend == "jax":
        import jax

        return "GPU" if any(device.platform == "gpu" for device in jax.devices()) else "CPU"
    if backend == "torch":
        import torch

        return "GPU" if torch.cuda.is_available() else "CPU"
    return "CPU"


def describe() -> dict:
    """Backend, its version and the accelerator, for the benchmark's JSON."""
    import importlib

    import keras

    backend = keras.backend.backend()
    try:
        version = importlib.import_module(backend).__version__
    except (ImportError, AttributeError):
        version = "unknown"
    return {"keras": keras.__version__, "backend": backend, "backend_version": version, "accelerator": accelerator()}
