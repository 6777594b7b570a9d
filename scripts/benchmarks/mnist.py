"""Benchmark rows for LeNet on MNIST: the zoo's tf.data pipeline against the book's way
(``fit`` on NumPy arrays), and the training GFLOP/s achieved against a float32
matrix-multiply peak measured in the same run.

Both pipelines feed the same compiled LeNet, batch 128, from the same real digits; a timed
call is one epoch, after an untimed one (tracing), and the two are timed in alternating rounds
(``benchmarks/_shared.py``), so a busy CPU slows both alike. The peak is timed alternately
with the zoo's epochs too. Two more rows time the builder's dropout layer (``zoo.layers.Dropout``)
against Keras' own, in float32 and mixed bfloat16.
"""

from __future__ import annotations

from benchmarks._shared import SetupMeter, alternate, row, setup_note

BATCH = 128


def _lenet_training_flops_per_image() -> float:
    """Multiply-adds x 2 of one forward pass, times 3 for forward plus backward."""
    forward = 2 * (26 * 26 * 32 * 3 * 3 * 1      # block1_conv1
                   + 24 * 24 * 64 * 3 * 3 * 32   # block1_conv2
                   + 12 * 12 * 64 * 128          # fc1
                   + 128 * 10)                   # predictions
    return 3.0 * forward


def _matmul_block(size: int, repeats: int):
    """``repeats`` float32 matrix multiplies of ``size`` x ``size``: the CPU's (or GPU's) peak,
    on whichever backend Keras runs (a multiply this large dwarfs an eager call's dispatch)."""
    import keras

    a = keras.random.normal((size, size), seed=0)
    b = keras.random.normal((size, size), seed=1)

    def block():
        for _ in range(repeats):
            keras.ops.convert_to_numpy(keras.ops.sum(keras.ops.matmul(a, b)))  # waits for the device
    return block, 2.0 * size ** 3 * repeats


def book_and_zoo_data(steps: int, source: str, flatten: bool = False, batch: int = BATCH):
    """The same ``steps`` batches of real digits both ways: the book's (images reshaped and
    divided by 255 up front, one-hot labels: float32 NumPy arrays for ``fit``) and the zoo's
    (its loader's pipeline, preprocessing batches in parallel, prefetched; without TensorFlow
    the same batches from NumPy). ``source`` "sample": the bundled 4,000 digits, no download
    attempt. Returns ``((book_x, book_y), pipeline, n_images)``."""
    from zoo.datasets import mnist

    (x_train, y_train), _ = mnist.load_arrays(source=source)
    steps = min(steps, len(x_train) // batch)
    n_images = steps * batch
    x_train, y_train = x_train[:n_images], y_train[:n_images]
    book_x, book_y = mnist.preprocess_numpy(x_train, y_train, flatten)  # the whole array, up front
    pipeline, _ = mnist.load(flatten=flatten, batch_size=batch, source=source, seed=0, max_examples=n_images)
    return (book_x, book_y), pipeline, n_images


def _dropout_rows(pipeline, n_images: int, rounds: int) -> list[dict]:
    """LeNet's training with ``zoo.layers.Dropout`` (the builder's) against Keras' own layer (the
    book's), in float32 and (on a CPU with bfloat16 units) mixed bfloat16: the same model,
    pipeline and seed; only how the two dropout layers draw their masks differs."""
    import keras

    from benchmarks import precision
    from benchmarks.time_to_result import bfloat16_units
    from zoo.layers import keras_dropout_masks

    result = []
    # mixed bfloat16 only where the CPU has bfloat16 units (elsewhere it is emulated, slowly)
    for policy in ("float32", "mixed_bfloat16") if bfloat16_units() else ("float32",):
        keras.utils.set_random_seed(0)
        with keras_dropout_masks():
            keras_own = precision.build("lenet", policy)
        keras.utils.set_random_seed(0)
        zoo_own = precision.build("lenet", policy)
        times = alternate({name: (lambda model=model: model.fit(pipeline, epochs=1, verbose=0, shuffle=False))
                           for name, model in (("keras", keras_own), ("zoo", zoo_own))}, rounds=rounds)
        result.append(row("lenet", f"training images/s, {policy}: keras.layers.Dropout vs zoo.layers.Dropout",
                          times["keras"], times["zoo"], baseline_amount=n_images, zoo_amount=n_images,
                          unit="images/s", note=f"batch {BATCH}, {n_images} images per epoch; the same model, "
                          "pipeline and seed, only the dropout masks' drawing differs"))
    return result


def rows(quick: bool) -> list[dict]:
    from zoo import recipes

    rounds = 3 if quick else 5
    # quick mode's 16 batches fit the bundled sample: no download attempt, nothing printed
    source = "sample" if quick else "auto"
    (book_x, book_y), pipeline, n_images = book_and_zoo_data(16 if quick else 64, source)

    model = recipes.get("lenet").build_compiled()
    book_meter, zoo_meter = SetupMeter(), SetupMeter()
    book = lambda: book_meter.fit(model, book_x, book_y, batch_size=BATCH, epochs=1, verbose=0, shuffle=True)  # noqa: E731
    zoo = lambda: zoo_meter.fit(model, pipeline, epochs=1, verbose=0, shuffle=False)  # noqa: E731
    times = alternate({"book": book, "zoo": zoo}, rounds=rounds)
    note = (f"batch {BATCH}, {n_images} images per epoch; "
            f"{setup_note(book_meter.setups, times['book'], 'set-up: book fit')}, "
            f"{setup_note(zoo_meter.setups, times['zoo'], 'zoo fit')}")
    # the GFLOP/s the zoo's training achieves against the peak, timed alternately as well
    matmul, peak_flops = _matmul_block(1024 if quick else 2048, 8 if quick else 10)
    flops = alternate({"peak": matmul, "zoo": zoo}, rounds=rounds)

    lenet_flops = n_images * _lenet_training_flops_per_image()
    return [
        row("lenet", "training images/s: fit on NumPy (book) vs zoo tf.data", times["book"], times["zoo"],
            baseline_amount=n_images, zoo_amount=n_images, unit="images/s", note=note),
        row("lenet", "training GFLOP/s achieved vs float32 matmul peak", flops["peak"], flops["zoo"],
            baseline_amount=peak_flops / 1e9, zoo_amount=lenet_flops / 1e9, unit="GFLOP/s",
            note="the ratio is the fraction of the peak, both measured in this run"),
        *_dropout_rows(pipeline, n_images, rounds),
    ]
