"""The PyTorch layer of ``zoo.runtime``: one device. Keras' distribution API covers JAX only, so
``--strategy mirrored`` and ``multiworker`` are refused on PyTorch rather than ignored."""

from __future__ import annotations

import contextlib

import keras
import torch

from zoo.runtime._shared import Runtime, RuntimeConfigError, device_kind

# Keras places the torch backend's tensors on the device of its innermost keras.device scope;
# the scope opened here holds for the rest of the process.
_process_device = contextlib.ExitStack()


def configure(device: str, strategy: str, precision: str, seed: int | None) -> Runtime:
    """Choose the device and seed (``zoo.runtime.configure``)."""
    if strategy in ("mirrored", "multiworker"):
        raise RuntimeConfigError(f"--strategy {strategy}: Keras' distribution API does not cover the torch "
                                 f"backend; train on one device, or use KERAS_BACKEND=jax or tensorflow")
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if device == "auto":
        kind, index = ("gpu" if gpus else "cpu"), None
    else:
        kind, index = device_kind(device)
    if kind == "gpu" and not gpus:
        raise RuntimeConfigError(f"--device {device}: PyTorch sees no GPU here (install a CUDA build of torch "
                                 f"on a CUDA machine, or use --device cpu)")
    if kind == "gpu" and index is not None and index >= gpus:
        raise RuntimeConfigError(f"--device {device}: no such device here; PyTorch sees {gpus} GPU(s)")
    name = f"cuda:{index or 0}" if kind == "gpu" else "cpu"
    _process_device.close()
    _process_device.enter_context(keras.device(name))
    if seed is not None:
        keras.utils.set_random_seed(seed)  # Python, NumPy, torch and Keras' seed generator
    shown = f"gpu:{index or 0}" if kind == "gpu" else "cpu:0"
    return Runtime("torch", shown, "one_device" if strategy == "auto" else strategy, 1, precision, seed)
