"""Benchmark rows: float32 against mixed precision, training (and VGG19 inference) images per second.

The same model, seed and device-resident batch run under float32 and under mixed policies
(on a GPU ``mixed_float16``, with Keras' loss scaling, and ``mixed_bfloat16``, without; on a
CPU ``mixed_bfloat16``, which oneDNN runs on AVX-512 BF16 hardware). A timed call is a
block of steps with its input already on the device, so the ratio is the compute speed-up
alone, not the input pipeline's; the policies' blocks alternate (``benchmarks/_shared.py``).
Quick mode on a CPU trains AlexNet at batch 16 (a step at 64 takes seconds there).
Keras 3 only, with random inputs (speed does not depend on content): this section runs on
any Keras backend, e.g. ``KERAS_BACKEND=jax`` on a GPU machine without TensorFlow.
"""

from __future__ import annotations

import numpy as np

from benchmarks._shared import accelerator, alternate, row

# model, batch (the book's), input shape, classes
TRAINING = (("lenet", 128, (28, 28, 1), 10), ("alexnet", 64, (224, 224, 3), 17), ("vggnet", 64, (224, 224, 3), 17))


def _steps(step, steps: int):
    """A timed call: ``steps`` calls of ``step``, waiting for the device to finish the last."""
    def block():
        for _ in range(steps):
            result = step()
        np.asarray(result)
    return block


def build(name: str, policy: str):
    """The zoo's ``name`` (compiled with the book's settings) built under the dtype policy ``policy``."""
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


def _compare(blocks: dict, rounds: int) -> dict:
    # a call of one step (VGG19 on a CPU) still gets two untimed ones: compilation, then caches
    return alternate(blocks, rounds=rounds, warmup=2)


def _training(name, batch, shape, classes, mixed_policies, steps, rounds) -> list[dict]:
    import keras

    rng = np.random.default_rng(0)
    x = keras.ops.convert_to_tensor(rng.random((batch, *shape), dtype="float32"))
    y = keras.ops.convert_to_tensor(keras.utils.to_categorical(rng.integers(0, classes, batch), classes))
    blocks = {}
    for policy in ("float32", *mixed_policies):
        keras.utils.set_random_seed(0)
        model = build(name, policy)
        blocks[policy] = _steps(lambda model=model: model.train_on_batch(x, y, return_dict=True)["loss"], steps)
    times = _compare(blocks, rounds)
    note = f"book's optimiser; input on the device; {steps} steps per timed call; {accelerator()}"
    return [row("precision", f"{name} training, batch {batch}: float32 vs {mixed}", times["float32"], times[mixed],
                baseline_amount=batch * steps, zoo_amount=batch * steps, unit="images/s", note=note)
            for mixed in mixed_policies]


def _vgg19_inference(batch, mixed_policies, steps, rounds) -> list[dict]:
    import keras

    x = keras.ops.convert_to_tensor(np.random.default_rng(0).random((batch, 224, 224, 3), dtype="float32"))
    full = build("vgg19_transfer", "float32")
    blocks = {"float32": _steps(lambda: full.predict_on_batch(x), steps)}
    for mixed in mixed_policies:
        low = build("vgg19_transfer", mixed)
        low.set_weights(full.get_weights())
        blocks[mixed] = _steps(lambda low=low: low.predict_on_batch(x), steps)
    times = _compare(blocks, rounds)
    note = f"same weights; input on the device; {steps} batch{'es' if steps > 1 else ''} per timed call; {accelerator()}"
    return [row("precision", f"VGG19 transfer inference, batch {batch}: float32 vs {mixed}", times["float32"],
                times[mixed], baseline_amount=batch * steps, zoo_amount=batch * steps, unit="images/s", note=note)
            for mixed in mixed_policies]


def rows(quick: bool) -> list[dict]:
    rounds = 3 if quick else 5
    if accelerator() == "GPU":  # float16 needs loss scaling, bfloat16 does not: measure both
        mixed_policies = ("mixed_float16", "mixed_bfloat16")
        models, inference_batch = TRAINING, 32
        steps = {name: 5 if quick else 50 for name in ("lenet", "alexnet", "vggnet", "vgg19")}
    elif quick:  # AlexNet and VGG at 224x224 take seconds per step on a few CPU cores: smaller batches
        mixed_policies = ("mixed_bfloat16",)
        models = (TRAINING[0], ("alexnet", 16, *TRAINING[1][2:]))
        inference_batch, steps = 8, {"lenet": 8, "alexnet": 2, "vgg19": 1}
    else:
        mixed_policies = ("mixed_bfloat16",)
        models, inference_batch = TRAINING, 32
        steps = {"lenet": 32, "alexnet": 4, "vggnet": 2, "vgg19": 2}
    table = [row for model in models for row in _training(*model, mixed_policies, steps[model[0]], rounds)]
    return table + _vgg19_inference(inference_batch, mixed_policies, steps["vgg19"], rounds)
