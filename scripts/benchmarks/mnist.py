"""Benchmark rows for LeNet on MNIST: the zoo's tf.data pipeline against the book's way
(``fit`` on NumPy arrays), and the training GFLOP/s achieved against a float32
matrix-multiply peak measured in the same run.

Both pipelines feed the same compiled LeNet, batch 128, from the same real digits; each is
warmed up first and the two are timed in alternating rounds, so a busy CPU slows both alike.
"""

from __future__ import annotations

import statistics
import time

BATCH = 128


def _lenet_training_flops_per_image() -> float:
    """Multiply-adds x 2 of one forward pass, times 3 for forward plus backward."""
    forward = 2 * (26 * 26 * 32 * 3 * 3 * 1      # block1_conv1
                   + 24 * 24 * 64 * 3 * 3 * 32   # block1_conv2
                   + 12 * 12 * 64 * 128          # fc1
                   + 128 * 10)                   # predictions
    return 3.0 * forward


def _matmul_peak_gflops(size: int, repeats: int) -> float:
    import tensorflow as tf

    a = tf.random.normal((size, size))
    b = tf.random.normal((size, size))
    multiply = tf.function(lambda: tf.reduce_sum(tf.matmul(a, b)))
    multiply().numpy()
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        multiply().numpy()
        best = min(best, time.perf_counter() - started)
    return 2.0 * size ** 3 / best / 1e9


def rows(quick: bool) -> list[dict]:
    import keras

    from zoo import recipes
    from zoo.datasets import mnist

    steps = 16 if quick else 64
    rounds = 2 if quick else 3
    (x_train, y_train), _ = mnist.load_arrays(source="auto")
    n_images = steps * BATCH
    x_train, y_train = x_train[:n_images], y_train[:n_images]

    # the book's way: preprocess the whole array up front, then fit on NumPy
    book_x = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255
    book_y = keras.utils.to_categorical(y_train, 10)
    # the zoo's way: a tf.data pipeline preprocessing batches in parallel, prefetched
    pipeline, _ = mnist.load(flatten=False, batch_size=BATCH, source="auto", seed=0)
    pipeline = pipeline.take(steps)  # the same number of images as the book's side

    model = recipes.get("lenet").build_compiled()
    model.fit(book_x[:BATCH * 2], book_y[:BATCH * 2], batch_size=BATCH, epochs=1, verbose=0)  # warm-up
    model.fit(pipeline.take(2), epochs=1, verbose=0, shuffle=False)
    book_times, zoo_times = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        model.fit(book_x, book_y, batch_size=BATCH, epochs=1, verbose=0, shuffle=True)
        book_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        model.fit(pipeline, epochs=1, verbose=0, shuffle=False)
        zoo_times.append(time.perf_counter() - started)
    book_rate = n_images / statistics.median(book_times)
    zoo_rate = n_images / statistics.median(zoo_times)

    achieved = zoo_rate * _lenet_training_flops_per_image() / 1e9
    peak = _matmul_peak_gflops(1024 if quick else 2048, 3 if quick else 5)
    note = f"batch {BATCH}, {n_images} images, median of {rounds} rounds"
    return [
        {"section": "lenet", "case": "training images/s: fit on NumPy (book) vs zoo tf.data",
         "baseline": round(book_rate, 1), "zoo": round(zoo_rate, 1), "unit": "images/s",
         "ratio": round(zoo_rate / book_rate, 2), "note": note},
        {"section": "lenet", "case": "training GFLOP/s achieved vs float32 matmul peak",
         "baseline": round(peak, 1), "zoo": round(achieved, 1), "unit": "GFLOP/s",
         "ratio": round(achieved / peak, 3), "note": "fraction of the peak measured in this run"},
    ]
