"""Benchmark rows: float32 against mixed precision, training (and VGG19 inference) images per second.

The same model, seed and device-resident batch run under float32 and under mixed policies
(on a GPU ``mixed_float16``, with Keras' loss scaling, and ``mixed_bfloat16``, without; on a
CPU ``mixed_bfloat16``, which oneDNN runs on AVX-512 BF16 hardware). Each step is timed with
its input already on the device, so the ratio is the compute speed-up alone, not the input
pipeline's.
Keras 3 only, with random inputs (speed does not depend on content): this section runs on
any Keras backend, e.g. ``KERAS_BACKEND=jax`` on a GPU machine without TensorFlow.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks._shared import accelerator

# model, batch (the book's), input shape, classes
TRAINING = (("lenet", 128, (28, 28, 1), 10), ("alexnet", 64, (224, 224, 3), 17), ("vggnet", 64, (224, 224, 3), 17))


def _steps_per_second(step, steps: int, rounds: int) -> float:
    """Best of ``rounds`` timings of ``steps`` calls, after two warm-up calls (compilation)."""
    step(), step()
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(steps):
            result = step()
        np.asarray(result)  # wait for the device to finish
        best = min(best, time.perf_counter() - started)
    return steps / best


def _build(name: str, policy: str):
    import keras

    from zoo import recipes
    from zoo.transfer import build_vgg19_transfer

    previous = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy(policy)
    try:
        if name == "vgg19_transfer":
            return build_vgg19_transfer(weights=None)
        return recipes.get(name).build_compiled()
    finally:
        keras.mixed_precision.set_global_policy(previous)


def _row(case, baseline, zoo, note):
    return {"section": "precision", "case": case, "baseline": round(baseline, 1), "zoo": round(zoo, 1),
            "unit": "images/s", "ratio": round(zoo / baseline, 2), "note": note}


def _training(name, batch, shape, classes, mixed_policies, steps, rounds) -> list[dict]:
    import keras

    rng = np.random.default_rng(0)
    x = keras.ops.convert_to_tensor(rng.random((batch, *shape), dtype="float32"))
    y = keras.ops.convert_to_tensor(keras.utils.to_categorical(rng.integers(0, classes, batch), classes))
    speeds = {}
    for policy in ("float32", *mixed_policies):
        keras.utils.set_random_seed(0)
        model = _build(name, policy)
        speeds[policy] = batch * _steps_per_second(lambda: model.train_on_batch(x, y, return_dict=True)["loss"],
                                                   steps, rounds)
    note = f"book's optimiser; input on the device; best of {rounds} x {steps} steps; {accelerator()}"
    return [_row(f"{name} training, batch {batch}: float32 vs {mixed}", speeds["float32"], speeds[mixed], note)
            for mixed in mixed_policies]


def _vgg19_inference(batch, mixed_policies, steps, rounds) -> list[dict]:
    import keras

    x = keras.ops.convert_to_tensor(np.random.default_rng(0).random((batch, 224, 224, 3), dtype="float32"))
    full = _build("vgg19_transfer", "float32")
    speed = {"float32": batch * _steps_per_second(lambda: full.predict_on_batch(x), steps, rounds)}
    for mixed in mixed_policies:
        low = _build("vgg19_transfer", mixed)
        low.set_weights(full.get_weights())
        speed[mixed] = batch * _steps_per_second(lambda: low.predict_on_batch(x), steps, rounds)
    note = f"same weights; input on the device; best of {rounds} x {steps} batches; {accelerator()}"
    return [_row(f"VGG19 transfer inference, batch {batch}: float32 vs {mixed}", speed["float32"], speed[mixed], note)
            for mixed in mixed_policies]


def rows(quick: bool) -> list[dict]:
    if accelerator() == "GPU":  # float16 needs loss scaling, bfloat16 does not: measure both
        mixed_policies = ("mixed_float16", "mixed_bfloat16")
        models, inference_batch = TRAINING, 32
        steps, rounds = (5, 2) if quick else (50, 3)
    else:  # AlexNet and VGG at 224x224 take seconds per step on a few CPU cores
        mixed_policies = ("mixed_bfloat16",)
        steps, rounds, models, inference_batch = (2, 1, TRAINING[:2], 8) if quick else (5, 2, TRAINING, 32)
    table = [row for model in models for row in _training(*model, mixed_policies, steps, rounds)]
    return table + _vgg19_inference(inference_batch, mixed_policies, steps, rounds)
