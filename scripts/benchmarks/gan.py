"""Benchmark row for chapter 12: seconds per GAN iteration, the book's loop against fit().

Both sides run here, in one process, on the book's networks (4,311,553 + 183,713
parameters), batch 128 of the bundled real apple drawings, and the book's optimisers:
- the book's loop: ``generator.predict`` on noise, ``discriminator.train_on_batch`` on real
  and generated drawings, then ``adversarial_model.train_on_batch`` on noise labelled 1, with
  the book's ``make_trainable`` toggles (a Keras 3 port of the notebook's ``train()``);
- the zoo: ``GAN.fit`` with its fused ``train_step`` (both phases in one compiled graph).
Timed iterations alternate between the two sides, so a shared, busy CPU slows both alike.

    python scripts/benchmark.py --quick --only gan
"""

from __future__ import annotations

import statistics
import time

import numpy as np

BATCH = 128  # the book's batch


def _timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def rows(quick: bool) -> list[dict]:
    import keras

    from zoo.datasets import quickdraw
    from zoo.gan import book_iteration, book_models, build_gan

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    data = quickdraw.load_arrays("apple", source="sample")[..., None].astype("float32") / 255.0
    stream, _ = quickdraw.load("apple", batch_size=BATCH, source="sample", seed=0)

    discriminator, generator, adversarial = book_models()
    gan = build_gan(seed=0)
    rounds = 2 if quick else 4  # alternating timed blocks per side
    steps = 4 if quick else 10  # iterations per block; the zoo's is one fit call, its set-up counted in

    # warm up: trace every compiled function once
    for _ in range(2):
        book_iteration(data, discriminator, generator, adversarial, rng, BATCH)
    gan.fit(stream, epochs=1, steps_per_epoch=steps, verbose=0)

    book, fused = [], []
    for _ in range(rounds):
        book.append(sum(_timed(lambda: book_iteration(data, discriminator, generator, adversarial, rng, BATCH))
                        for _ in range(steps)) / steps)
        fused.append(_timed(lambda: gan.fit(stream, epochs=1, steps_per_epoch=steps, verbose=0)) / steps)
    baseline, zoo_time = statistics.median(book), statistics.median(fused)
    return [{
        "section": "gan",
        "case": f"one GAN iteration, batch {BATCH}: book predict + 2x train_on_batch vs fused train_step in fit",
        "baseline": round(baseline, 4),
        "zoo": round(zoo_time, 4),
        "unit": "s/iteration",
        "ratio": round(baseline / zoo_time, 2),
        "note": (f"Keras 3, {keras.backend.backend()} CPU, the book's networks and optimisers, bundled apples; "
                 f"median over {len(book)} alternating rounds of {steps} iterations per side"),
    }]


if __name__ == "__main__":
    for row in rows(quick=True):
        print(row)
