"""Benchmark rows for chapter 10: AlexNet training and VGG19 transfer inference, photos per second.

Both sides run here, in one process, on the same model and the same bundled Flowers 17 /
synthetic hot dog photos at 224x224:
- AlexNet training: the book's way (``fit`` on a float32 NumPy array already divided by
  255, as tflearn's loader gave it) against the zoo's ``flowers17`` tf.data pipeline (uint8
  photos in memory, cast and rescaled in the pipeline, prefetched);
- VGG19 transfer inference: ``predict`` on a NumPy array against the zoo's ``hotdog``
  pipeline; and float32 against a mixed precision policy (``mixed_float16`` on a GPU,
  ``mixed_bfloat16`` on a CPU, where oneDNN runs bfloat16 on AVX-512 BF16 hardware).

    python scripts/benchmark.py --quick --only vision
"""

from __future__ import annotations

import numpy as np

from benchmarks._shared import accelerator, per_second

SIZE = 224  # the book's input size for both models


def _row(case, baseline, zoo, note):
    return {"section": "vision", "case": case, "baseline": round(baseline, 2), "zoo": round(zoo, 2),
            "unit": "photos/s", "ratio": round(zoo / baseline, 2), "note": note}


def _alexnet_training(quick: bool) -> dict:
    import keras

    from zoo import recipes
    from zoo.datasets import images, flowers17

    batch = 8 if quick else 64
    n = batch * (2 if quick else 4)
    (x, y), _ = flowers17.load_arrays(image_size=SIZE, source="sample", validation_split=0.1)
    x, y = np.resize(x, (n, *x.shape[1:])), np.resize(y, n)  # repeat the sample up to n photos
    keras.utils.set_random_seed(0)
    model = recipes.get("alexnet").build_compiled()

    x_book, y_book = x.astype("float32") / 255.0, keras.utils.to_categorical(y, 17)
    pipeline = images.pipeline(x, y, 17, batch_size=batch, training=True, seed=0)
    book = per_second(lambda: model.fit(x_book, y_book, batch_size=batch, epochs=1, verbose=0), n,
                              1 if quick else 3)
    zoo = per_second(lambda: model.fit(pipeline, epochs=1, verbose=0, shuffle=False), n, 1 if quick else 3)
    return _row(f"AlexNet training at {SIZE}x{SIZE}, batch {batch}: fit on NumPy (book) vs zoo tf.data pipeline",
                book, zoo, f"{n} bundled Flowers 17 photos per epoch; best of repeats; {accelerator()}")


def _vgg19_inference(quick: bool) -> list[dict]:
    import keras

    from zoo.datasets import images, hotdog
    from zoo.transfer import build_vgg19_transfer

    batch = 4 if quick else 32
    n = batch * (2 if quick else 4)
    (x, y), _ = hotdog.load_arrays(image_size=SIZE, source="sample")
    x, y = np.resize(x, (n, *x.shape[1:])), np.resize(y, n)
    repeats = 1 if quick else 3

    keras.utils.set_random_seed(0)
    model = build_vgg19_transfer(weights=None)
    x_book = x.astype("float32") / 255.0
    pipeline = images.pipeline(x, y, 2, batch_size=batch, training=False)
    book = per_second(lambda: model.predict(x_book, batch_size=batch, verbose=0), n, repeats)
    zoo = per_second(lambda: model.predict(pipeline, verbose=0), n, repeats)

    mixed = "mixed_float16" if accelerator() == "GPU" else "mixed_bfloat16"
    previous = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy(mixed)
    try:
        low = build_vgg19_transfer(weights=None)
    finally:
        keras.mixed_precision.set_global_policy(previous)
    low.set_weights(model.get_weights())
    low_speed = per_second(lambda: low.predict(pipeline, verbose=0), n, repeats)
    synthetic = "synthetic hot dog drawings (speed does not depend on content)"
    return [
        _row(f"VGG19 transfer inference at {SIZE}x{SIZE}, batch {batch}: predict on NumPy vs zoo tf.data pipeline",
             book, zoo, f"{n} {synthetic}; best of repeats; {accelerator()}"),
        _row(f"VGG19 transfer inference at {SIZE}x{SIZE}, batch {batch}: float32 vs {mixed}",
             zoo, low_speed, f"same weights and pipeline; {accelerator()}"),
    ]


def rows(quick: bool) -> list[dict]:
    return [_alexnet_training(quick), *_vgg19_inference(quick)]
