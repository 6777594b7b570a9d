"""Benchmark rows: the time to the book's result, the book's way against the zoo's fastest command.

For the GAN, AlexNet, LeNet and the shallow net, the same training is timed two ways in
alternating rounds (``benchmarks/_shared.py``), at the book's batch sizes:

- the book's way, float32: the GAN's loop of ``generator.predict`` and two ``train_on_batch``
  calls (``benchmarks/gan.py``), the others' ``fit`` on NumPy arrays prepared up front
  (``benchmarks/mnist.py``, ``benchmarks/vision.py``), with Keras' own dropout layer
  (``zoo.layers.keras_dropout_masks``);
- the zoo's fastest command that reaches the book's figure (:data:`FASTEST`, as the README
  names it): its loader's pipeline, its fused GAN step, LeNet's ``zoo.layers.Dropout``
  (cheaper masks on TensorFlow), and on a CPU with bfloat16 units
  (AVX-512 BF16 or AMX) ``--precision mixed_bfloat16``, which oneDNN runs on them.

A timed call is one epoch of ``fit`` (the GAN: a block of iterations, one ``fit`` call). Each
call's seconds are split (``SetupMeter``) into its steps at their steady rate and its set-up
(the data iterator, callbacks, and the first batch's wait beyond a steady step). A round projects each side's whole run from them as a run pays them: the steps'
seconds per step times the steps of the book's whole run (its epochs over the full training
set, or the GAN's 2,000 iterations), plus one set-up per epoch (the GAN's ``train_gan.py``
makes one ``fit`` call for all its iterations: one set-up; the book's loop has none). A quick
call of 16 steps would otherwise carry its set-up (and its first batch's wait) 30 times more
often than a whole epoch of 469 does. Start-up, validation and checkpoints are left out. Whole runs of the commands, their
wall times and figures: ``docs/results.md``.

    python scripts/benchmark.py --quick --only time_to_result
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from benchmarks import gan, mnist, precision, vision
from benchmarks._shared import SetupMeter, accelerator, alternate, row

MNIST_TRAIN = 60_000  # full MNIST's training digits
FLOWERS17_TRAIN = 1_224  # Flowers 17's 1,360 photos less the 136 (8 a class) held out
GAN_ITERATIONS = 2_000  # the book's iterations (train_gan.py: 20 fit epochs of 100)
BFLOAT16_FLAGS = ("avx512_bf16", "amx_bf16")  # /proc/cpuinfo's names for bfloat16 units


@dataclass(frozen=True)
class Fastest:
    """The zoo's fastest command for a model on a CPU, and the dtype policy it trains under."""

    script: str
    precision: str  # on a CPU with bfloat16 units; float32 elsewhere

    def command(self, bfloat16: bool) -> str:
        flags = f" --precision {self.precision}" if bfloat16 and self.precision != "float32" else ""
        return f"python scripts/{self.script}{flags}"

    def policy(self, bfloat16: bool) -> str:
        return self.precision if bfloat16 else "float32"


# Measured on a 2-core CPU with AVX-512 BF16 and AMX (docs/benchmarks.md): with mixed bfloat16
# the convolutional nets' commands ran 2.0-2.6x the book's way (2026-12-07, quick and full
# size); XLA (jit_compile) made LeNet's epochs 5x slower; the shallow net's tiny matrices gain
# nothing from bfloat16.
FASTEST = {
    "gan": Fastest("train_gan.py", "mixed_bfloat16"),
    "alexnet": Fastest("train_alexnet.py", "mixed_bfloat16"),
    "lenet": Fastest("train_lenet.py", "mixed_bfloat16"),
    "shallow_net": Fastest("train_shallow_net.py", "float32"),
}


def bfloat16_units(cpuinfo: str | Path = "/proc/cpuinfo") -> bool:
    """True when the CPU lists AVX-512 BF16 or AMX bfloat16 units (Linux's ``/proc/cpuinfo``);
    False where it does not or the file cannot be read (another OS: measure with float32)."""
    try:
        text = Path(cpuinfo).read_text()
    except OSError:
        return False
    flags = {word for line in text.splitlines() if line.startswith("flags") for word in line.split()}
    return any(flag in flags for flag in BFLOAT16_FLAGS)


def run_seconds(setups: list[float], steps_seconds: list[float], steps: int, whole_steps: int,
                setups_per_run: int) -> list[float]:
    """Each round's projected seconds of the whole run: its timed ``steps`` steps scaled to
    ``whole_steps``, plus its call's set-up once for each of the run's ``setups_per_run`` calls
    or epochs."""
    return [setups_per_run * setup + whole_steps * seconds / steps for setup, seconds in zip(setups, steps_seconds)]


def _projected(section_case: str, book: list[float], zoo: list[float], steps: int, whole_steps: int, what: str,
               command: str, note: str) -> dict:
    """A row of projected minutes of the whole run (``whole_steps`` steps) from each round's
    projected seconds (:func:`run_seconds`), with the command the zoo's side stands for."""
    result = row("time_to_result", section_case, book, zoo, per="unit", scale=1 / 60, unit="min, projected",
                 note=f"{what} = {whole_steps:,} steps; {steps} steps per timed call; {note}; training "
                      f"steps only (start-up, validation, checkpoints left out); {accelerator()}")
    result.update(command=command, whole_run_steps=whole_steps)
    return result


def _last(meter, rounds: int) -> tuple[list[float], list[float]]:
    """The timed rounds' set-ups and steps' seconds (the meter saw the warm-up calls first)."""
    return meter.setups[-rounds:], meter.steps[-rounds:]


def _fit_rows(model_name: str, label: str, book_data, pipeline, n: int, batch: int, epochs_examples: tuple,
              rounds: int, bfloat16: bool, data_note: str) -> dict:
    """Book's ``fit`` on NumPy (float32) against the zoo's fastest command, an epoch each."""
    import keras

    from zoo.layers import keras_dropout_masks

    fastest = FASTEST[model_name]
    keras.utils.set_random_seed(0)
    with keras_dropout_masks():  # the book's way: Keras' own dropout layer
        book_model = precision.build(model_name, "float32")
    keras.utils.set_random_seed(0)
    zoo_model = precision.build(model_name, fastest.policy(bfloat16))
    book_x, book_y = book_data
    book_meter, zoo_meter = SetupMeter(), SetupMeter()
    times = alternate({
        "book": lambda: book_meter.fit(book_model, book_x, book_y, batch_size=batch, epochs=1, verbose=0, shuffle=True),
        "zoo": lambda: zoo_meter.fit(zoo_model, pipeline, epochs=1, verbose=0, shuffle=False),
    }, rounds=rounds)
    epochs, examples = epochs_examples
    steps, whole_steps = math.ceil(n / batch), epochs * math.ceil(examples / batch)
    book, zoo = (run_seconds(*_last(meter, len(times["book"])), steps, whole_steps, setups_per_run=epochs)
                 for meter in (book_meter, zoo_meter))
    command = fastest.command(bfloat16)
    return _projected(f"{label}: fit on NumPy, float32 (book) vs `{command}`", book, zoo, steps, whole_steps,
                      f"the book's {epochs} epochs of {examples:,} {data_note} at batch {batch}", command,
                      f"{n} {data_note} per timed epoch; each side's fit set-up once per epoch")


def _lenet(quick: bool, rounds: int, bfloat16: bool, model_name: str = "lenet", label: str = "LeNet") -> dict:
    from zoo import recipes

    recipe = recipes.get(model_name)
    source = "sample" if quick else "auto"  # quick: the bundled digits, no download attempt
    book_data, pipeline, n = mnist.book_and_zoo_data(16 if quick else 64, source, flatten=model_name != "lenet",
                                                     batch=recipe.batch_size)
    return _fit_rows(model_name, label, book_data, pipeline, n, recipe.batch_size, (recipe.epochs, MNIST_TRAIN),
                     rounds, bfloat16, "MNIST digits")


def _alexnet(quick: bool, rounds: int, bfloat16: bool) -> dict:
    from zoo import recipes

    recipe = recipes.get("alexnet")
    n = recipe.batch_size * (2 if quick else 4)  # a step at the book's batch 64 takes seconds here
    book_data, pipeline = vision.alexnet_data(n, recipe.batch_size)
    return _fit_rows("alexnet", f"AlexNet at {vision.SIZE}x{vision.SIZE}", book_data, pipeline, n, recipe.batch_size,
                     (recipe.epochs, FLOWERS17_TRAIN), rounds, bfloat16, "Flowers 17 photos")


def _gan(quick: bool, rounds: int, bfloat16: bool) -> dict:
    fastest = FASTEST["gan"]
    steps = 8 if quick else 20  # iterations per timed call
    book, fit, meter = gan.sides(steps, fastest.policy(bfloat16))
    times = alternate({"book": book, "zoo": fit}, rounds=rounds, warmup=0)  # gan.sides warmed both up
    book_run = run_seconds([0.0] * rounds, times["book"], steps, GAN_ITERATIONS, setups_per_run=0)
    zoo_run = run_seconds(*_last(meter, rounds), steps, GAN_ITERATIONS, setups_per_run=1)
    command = fastest.command(bfloat16)
    return _projected(f"GAN: the book's loop, float32 (book) vs `{command}`", book_run, zoo_run, steps,
                      GAN_ITERATIONS, f"the book's {GAN_ITERATIONS:,} iterations of batch {gan.BATCH}", command,
                      "the bundled apples; fit's set-up once (train_gan.py's one fit call), the book's loop has none")


def rows(quick: bool) -> list[dict]:
    rounds = 3 if quick else 5
    bfloat16 = accelerator() == "CPU" and bfloat16_units()
    return [_gan(quick, rounds, bfloat16), _alexnet(quick, rounds, bfloat16), _lenet(quick, rounds, bfloat16),
            _lenet(quick, rounds, bfloat16, "shallow_net", "shallow net")]
