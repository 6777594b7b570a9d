"""Where and how a script computes: device, distribution, precision and seed, on any Keras backend.

    rt = runtime.configure(device="auto", strategy="auto", precision="float32", seed=42)
    with rt.scope():
        model = build_lenet(); model.compile(...)

The flags mean the same on every backend; each backend has a thin layer of its own:

- TensorFlow (``_tensorflow``): ``tf.distribute``: one device, ``MirroredStrategy`` over the
  local GPUs (or logical CPUs), ``MultiWorkerMirroredStrategy`` across machines (``TF_CONFIG``).
- JAX (``_jax``): ``keras.distribution.DataParallel`` over the local devices, and across machines
  through ``jax.distributed`` (its coordinator set in the environment).
- PyTorch (``_torch``): one device (Keras' distribution API does not cover PyTorch).

``configure`` must run before the backend touches a device (TensorFlow's memory growth and
logical CPUs, JAX's distributed client can only be set up then), so ``Run`` calls it first.
A flag a backend cannot honour is a :class:`RuntimeConfigError` (one line, exit status 2).
"""

from __future__ import annotations

import logging

import keras

from zoo.choices import PRECISIONS, STRATEGIES
from zoo.runtime._shared import Runtime, RuntimeConfigError, device_kind  # noqa: F401  (the package's names)

log = logging.getLogger("zoo.runtime")


def configure(device: str = "auto", strategy: str = "auto", precision: str = "float32",
              seed: int | None = None, quiet: bool = False) -> Runtime:
    """Choose the device and distribution on Keras' backend, set the dtype policy and seed."""
    if strategy not in STRATEGIES:
        raise RuntimeConfigError(f"--strategy {strategy!r}: expected one of {', '.join(STRATEGIES)}")
    if precision not in PRECISIONS:
        raise RuntimeConfigError(f"--precision {precision!r}: expected one of {', '.join(PRECISIONS)}")
    backend = keras.backend.backend()
    if backend == "tensorflow":
        from zoo.runtime import _tensorflow as layer
    elif backend == "jax":
        from zoo.runtime import _jax as layer
    elif backend == "torch":
        from zoo.runtime import _torch as layer
    else:
        raise RuntimeConfigError(f"KERAS_BACKEND={backend}: the zoo runs on tensorflow, jax or torch")
    runtime = layer.configure(device, strategy, precision, seed)
    keras.mixed_precision.set_dtype_policy(precision)
    if not quiet:
        log.info(runtime.describe())
    return runtime


def all_processes(values):
    """``values`` (a NumPy array computed from this process's batches) joined with every other
    process's, process 0's first, where several processes share each batch (JAX's
    ``multiworker``); else ``values`` itself. Every process must call it (it is collective)."""
    if keras.backend.backend() != "jax":
        return values  # TensorFlow's workers each read every batch; PyTorch has one process
    import jax

    if jax.process_count() == 1:
        return values
    import numpy as np
    from jax.experimental import multihost_utils

    gathered = np.asarray(multihost_utils.process_allgather(values))  # (processes, *values.shape)
    return gathered.reshape(-1, *gathered.shape[2:])
