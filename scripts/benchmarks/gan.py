"""Benchmark row for chapter 12: seconds per GAN iteration, the book's loop against fit().

Both sides run here, in one process, on the book's networks (4,311,553 + 183,713
parameters), batch 128 of the bundled real apple drawings, and the book's optimisers:
- the book's loop: ``generator.predict`` on noise, ``discriminator.train_on_batch`` on real
  and generated drawings, then ``adversarial_model.train_on_batch`` on noise labelled 1, with
  the book's ``make_trainable`` toggles (a Keras 3 port of the notebook's ``train()``);
- the zoo: ``GAN.fit`` with its fused ``train_step`` (both phases in one compiled graph).
A timed call of each side is a block of iterations: the book's loop run that many times,
and one ``fit`` call of that many steps. ``fit``'s own set-up (the data iterator, callbacks,
the iterator's deletion) is paid once per call, and a training run makes one call (with
``steps_per_epoch``, fit keeps its data iterator across epochs): the first row times fit's
steps alone, the second the whole call.

    python scripts/benchmark.py --quick --only gan
"""

from __future__ import annotations

import numpy as np

from benchmarks._shared import SetupMeter, accelerator, alternate, row, setup_note

BATCH = 128  # the book's batch


def sides(steps: int, precision: str = "float32"):
    """One timed call of each side, ``steps`` iterations of batch 128 of the bundled apples:
    ``book()`` the book's loop (float32, its three compiled models), ``fit()`` one ``GAN.fit``
    call of the zoo's fused step, built under the dtype policy ``precision``; and the
    :class:`SetupMeter` that ``fit`` is timed with. Each side has run two iterations already
    (tracing every compiled function once)."""
    import keras

    from zoo.datasets import quickdraw
    from zoo.gan import book_iteration, book_models, build_gan

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    data = quickdraw.load_arrays("apple", source="sample")[..., None].astype("float32") / 255.0
    stream, _ = quickdraw.load("apple", batch_size=BATCH, source="sample", seed=0)

    discriminator, generator, adversarial = book_models()
    previous = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy(precision)
    try:
        gan = build_gan(seed=0)
    finally:
        keras.mixed_precision.set_global_policy(previous)
    meter = SetupMeter()

    for _ in range(2):
        book_iteration(data, discriminator, generator, adversarial, rng, BATCH)
    meter.fit(gan, stream, epochs=1, steps_per_epoch=2, verbose=0, shuffle=False)

    def book():
        for _ in range(steps):
            book_iteration(data, discriminator, generator, adversarial, rng, BATCH)

    def fit():
        meter.fit(gan, stream, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)

    return book, fit, meter


def rows(quick: bool) -> list[dict]:
    import keras

    steps = 6 if quick else 12  # iterations per timed call
    rounds = 3 if quick else 5
    book, fit, meter = sides(steps)
    times = alternate({"book": book, "fit": fit}, rounds=rounds, warmup=0)
    steps_only = meter.steps[-rounds:]  # the warm-up call's first
    setup = setup_note(meter.setups, times["fit"], "fit's own set-up")
    case = f"one GAN iteration, batch {BATCH}: book predict + 2x train_on_batch vs fused train_step in fit"
    note = (f"Keras 3, {keras.backend.backend()} {accelerator()}, the book's networks and optimisers, bundled apples; "
            f"{steps} iterations per timed call")
    return [
        row("gan", case, times["book"], steps_only, baseline_amount=steps, zoo_amount=steps, unit="s/iteration",
            per="unit", note=f"{note}; fit timed from its first step's start to its last step's end"),
        row("gan", f"{case}, fit's own set-up included", times["book"], times["fit"], baseline_amount=steps,
            zoo_amount=steps, unit="s/iteration", per="unit",
            note=(f"{note}; {setup}: the data iterator, callbacks and the iterator's deletion, which tf.data's "
                  f"autotuning can hold up on a busy CPU; paid once per fit call, once in a training run")),
    ]
