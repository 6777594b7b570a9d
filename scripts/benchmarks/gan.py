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
Z_DIM = 32


def _book_models():
    """The notebook's three compiled models: discriminator, generator, adversarial (Keras 3)."""
    import keras

    from zoo.gan import adversarial_optimizer, build_discriminator, build_generator, discriminator_optimizer

    discriminator = build_discriminator()
    discriminator.compile(loss="binary_crossentropy", optimizer=discriminator_optimizer(), metrics=["accuracy"])
    generator = build_generator()
    discriminator.trainable = False  # the book's make_trainable(discriminator, False) before compiling
    adversarial = keras.Sequential([keras.Input((Z_DIM,)), generator, discriminator], name="adversarial")
    adversarial.compile(loss="binary_crossentropy", optimizer=adversarial_optimizer(), metrics=["accuracy"])
    return discriminator, generator, adversarial


def _book_iteration(data, discriminator, generator, adversarial, rng):
    """One pass of the book's train() loop body (less its printing)."""
    real = data[rng.choice(len(data), BATCH, replace=False)]
    fake = generator.predict(rng.uniform(-1.0, 1.0, size=(BATCH, Z_DIM)), verbose=0)
    x = np.concatenate((real, fake))
    y = np.ones((2 * BATCH, 1))
    y[BATCH:, :] = 0
    discriminator.trainable = True
    d_metrics = discriminator.train_on_batch(x, y)
    discriminator.trainable = False
    noise = rng.uniform(-1.0, 1.0, size=(BATCH, Z_DIM))
    a_metrics = adversarial.train_on_batch(noise, np.ones((BATCH, 1)))
    return d_metrics, a_metrics


def _timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def rows(quick: bool) -> list[dict]:
    import keras

    from zoo.datasets import quickdraw
    from zoo.gan import build_gan

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    data = quickdraw.load_arrays("apple", source="sample")[..., None].astype("float32") / 255.0
    stream, _ = quickdraw.load("apple", batch_size=BATCH, source="sample", seed=0)

    discriminator, generator, adversarial = _book_models()
    gan = build_gan(seed=0)
    rounds = 2 if quick else 4  # alternating timed blocks per side
    steps = 4 if quick else 10  # iterations per block; the zoo's is one fit call, its set-up counted in

    # warm up: trace every compiled function once
    for _ in range(2):
        _book_iteration(data, discriminator, generator, adversarial, rng)
    gan.fit(stream, epochs=1, steps_per_epoch=steps, verbose=0)

    book, fused = [], []
    for _ in range(rounds):
        book.append(sum(_timed(lambda: _book_iteration(data, discriminator, generator, adversarial, rng))
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
