"""What the benchmark sections share: how they time a call, and what they ran on (for any
Keras backend: the GPU machines may lack TensorFlow)."""

from __future__ import annotations

import time


def per_second(function, amount: int, repeats: int) -> float:
    """``amount`` (images, reviews, words) per second: best of ``repeats`` timed calls after
    one warm-up call (tracing, caches)."""
    function()
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return amount / best


def accelerator() -> str:
    """'GPU' when the Keras backend computes on a GPU, else 'CPU'."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return "GPU" if tf.config.list_logical_devices("GPU") else "CPU"
    if backend == "jax":
        import jax

        return "GPU" if any(device.platform == "gpu" for device in jax.devices()) else "CPU"
    if backend == "torch":
        import torch

        return "GPU" if torch.cuda.is_available() else "CPU"
    return "CPU"


def describe() -> dict:
    """Backend, its version and the accelerator, for the benchmark's JSON."""
    import importlib

    import keras

    backend = keras.backend.backend()
    try:
        version = importlib.import_module(backend).__version__
    except (ImportError, AttributeError):
        version = "unknown"
    return {"keras": keras.__version__, "backend": backend, "backend_version": version, "accelerator": accelerator()}
