"""Benchmark rows for chapter 10: AlexNet training and VGG19 transfer inference, photos per second.

All sides run here, in one process, on the same model and the same bundled Flowers 17 /
synthetic hot dog photos at 224x224:
- AlexNet training: the book's way (``fit`` on a float32 NumPy array already divided by
  255, as tflearn's loader gave it) against the zoo's ``flowers17`` tf.data pipeline (uint8
  photos decoded once and held in memory, cast and rescaled per batch, prefetched);
- VGG19 transfer inference: ``predict`` on a NumPy array against the zoo's ``hotdog``
  pipeline; and float32 against a mixed precision policy (``mixed_float16`` on a GPU,
  ``mixed_bfloat16`` on a CPU, where oneDNN runs bfloat16 on AVX-512 BF16 hardware).
A timed call is one epoch (``fit``) or one pass (``predict``) over the photos.

    python scripts/benchmark.py --quick --only vision
"""

from __future__ import annotations

import numpy as np

from benchmarks._shared import SetupMeter, accelerator, alternate, row, setup_note

SIZE = 224  # the book's input size for both models


def alexnet_data(n: int, batch: int):
    """``n`` bundled Flowers 17 photos at 224x224 (the sample repeated as needed) both ways: the
    book's (a float32 NumPy array already divided by 255, one-hot labels, for ``fit``) and the
    zoo's ``flowers17`` pipeline of ``batch`` photos. Returns ``((x_book, y_book), pipeline)``."""
    import keras

    from zoo.datasets import flowers17, images

    (x, y), _ = flowers17.load_arrays(image_size=SIZE, source="sample", validation_split=0.1)
    x, y = np.resize(x, (n, *x.shape[1:])), np.resize(y, n)  # repeat the sample up to n photos
    x_book, y_book = x.astype("float32") / 255.0, keras.utils.to_categorical(y, 17)
    return (x_book, y_book), images.pipeline(x, y, 17, batch_size=batch, training=True, seed=0)


def _alexnet_training(quick: bool) -> dict:
    import keras

    from zoo import recipes

    batch = 8 if quick else 64
    n = batch * 4  # 4 steps per timed epoch
    rounds = 3 if quick else 5
    (x_book, y_book), pipeline = alexnet_data(n, batch)
    keras.utils.set_random_seed(0)
    model = recipes.get("alexnet").build_compiled()

    book_meter, zoo_meter = SetupMeter(), SetupMeter()
    times = alternate({"book": lambda: book_meter.fit(model, x_book, y_book, batch_size=batch, epochs=1, verbose=0),
                       "zoo": lambda: zoo_meter.fit(model, pipeline, epochs=1, verbose=0, shuffle=False)}, rounds=rounds)
    return row("vision", f"AlexNet training at {SIZE}x{SIZE}, batch {batch}: fit on NumPy (book) vs zoo tf.data pipeline",
               times["book"], times["zoo"], baseline_amount=n, zoo_amount=n, unit="photos/s",
               note=(f"{n} bundled Flowers 17 photos per epoch; {accelerator()}; "
                     f"{setup_note(book_meter.setups, times['book'], 'set-up: book fit')}, "
                     f"{setup_note(zoo_meter.setups, times['zoo'], 'zoo fit')}"))


def _vgg19_inference(quick: bool) -> list[dict]:
    import keras

    from zoo.datasets import images, hotdog
    from zoo.transfer import build_vgg19_transfer

    batch = 4 if quick else 32
    n = batch * (2 if quick else 4)
    rounds = 3 if quick else 5
    (x, y), _ = hotdog.load_arrays(image_size=SIZE, source="sample")
    x, y = np.resize(x, (n, *x.shape[1:])), np.resize(y, n)

    keras.utils.set_random_seed(0)
    model = build_vgg19_transfer(weights=None)
    x_book = x.astype("float32") / 255.0
    pipeline = images.pipeline(x, y, 2, batch_size=batch, training=False)

    mixed = "mixed_float16" if accelerator() == "GPU" else "mixed_bfloat16"
    previous = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy(mixed)
    try:
        low = build_vgg19_transfer(weights=None)
    finally:
        keras.mixed_precision.set_global_policy(previous)
    low.set_weights(model.get_weights())

    meters = {"book": SetupMeter(), "zoo": SetupMeter(), "mixed": SetupMeter()}
    times = alternate({"book": lambda: meters["book"].predict(model, x_book, batch_size=batch, verbose=0),
                       "zoo": lambda: meters["zoo"].predict(model, pipeline, verbose=0),
                       "mixed": lambda: meters["mixed"].predict(low, pipeline, verbose=0)}, rounds=rounds)
    setups = {side: setup_note(meters[side].setups, times[side], f"{side} predict") for side in meters}
    synthetic = "synthetic hot dog drawings (speed does not depend on content)"
    return [
        row("vision", f"VGG19 transfer inference at {SIZE}x{SIZE}, batch {batch}: predict on NumPy vs zoo tf.data pipeline",
            times["book"], times["zoo"], baseline_amount=n, zoo_amount=n, unit="photos/s",
            note=f"{n} {synthetic} per pass; {accelerator()}; set-up: {setups['book']}, {setups['zoo']}"),
        row("vision", f"VGG19 transfer inference at {SIZE}x{SIZE}, batch {batch}: float32 vs {mixed}",
            times["zoo"], times["mixed"], baseline_amount=n, zoo_amount=n, unit="photos/s",
            note=f"same weights and pipeline, {n} photos per pass; {accelerator()}; set-up: {setups['mixed']}"),
    ]


def rows(quick: bool) -> list[dict]:
    return [_alexnet_training(quick), *_vgg19_inference(quick)]
