"""The JAX layer of ``zoo.runtime``: one device, or ``keras.distribution.DataParallel`` over the
local devices (``mirrored``; ``auto`` with several GPUs) or over several machines' devices
(``multiworker``, through ``jax.distributed``: ``KERAS_DISTRIBUTION_JOB_ADDRESSES``,
``KERAS_DISTRIBUTION_NUM_PROCESSES`` and ``KERAS_DISTRIBUTION_PROCESS_ID`` in the environment, or a
cluster JAX detects itself)."""

from __future__ import annotations

import logging
import os

import jax
import keras

from zoo.runtime._shared import Runtime, RuntimeConfigError, device_kind


def _devices(kind: str) -> list:
    try:
        return jax.local_devices(backend=kind)
    except RuntimeError:  # no such platform here (a CPU-only jaxlib asked for a GPU)
        return []


def _name(device) -> str:
    return f"{'gpu' if device.platform in ('gpu', 'cuda', 'rocm') else device.platform}:{device.id}"


def _split_cpu(count: int) -> None:
    """ZOO_LOGICAL_CPUS: that many CPU devices, to try data-parallel code without GPUs. Only before
    JAX has set up its devices."""
    try:
        jax.config.update("jax_num_cpu_devices", count)
    except (RuntimeError, AttributeError):
        pass  # JAX's devices exist already; keep what it has


def configure(device: str, strategy: str, precision: str, seed: int | None) -> Runtime:
    """Choose the device, set up keras.distribution and seed (``zoo.runtime.configure``)."""
    # JAX looks for every platform it knows when it first lists devices, and says which it lacks
    # ("Unable to initialize backend 'tpu'"): noise on a machine that has only CPUs or GPUs
    logging.getLogger("jax._src.xla_bridge").setLevel(logging.ERROR)
    worker_index, is_chief = 0, True
    if strategy == "multiworker":
        if not any(os.environ.get(name) for name in ("KERAS_DISTRIBUTION_JOB_ADDRESSES", "JAX_COORDINATOR_ADDRESS",
                                                       "SLURM_JOB_ID")):
            raise RuntimeConfigError("--strategy multiworker on JAX needs KERAS_DISTRIBUTION_JOB_ADDRESSES, "
                                     "KERAS_DISTRIBUTION_NUM_PROCESSES and KERAS_DISTRIBUTION_PROCESS_ID in the "
                                     "environment (or a cluster JAX detects); see docs/backends.md")
        keras.distribution.initialize()  # jax.distributed, before any computation
        worker_index = jax.process_index()
        is_chief = worker_index == 0
    logical_cpus = int(os.environ.get("ZOO_LOGICAL_CPUS", "0") or 0)
    if logical_cpus > 1:
        _split_cpu(logical_cpus)

    gpus = _devices("gpu")
    if device == "auto":
        kind, index = ("gpu" if gpus else "cpu"), None
    else:
        kind, index = device_kind(device)
    local = gpus if kind == "gpu" else _devices("cpu")
    if not local:
        raise RuntimeConfigError(f"--device {device}: JAX sees no GPU here (install jax[cuda12] on a CUDA "
                                 f"machine, or use --device cpu)")
    if index is not None and index >= len(local):
        raise RuntimeConfigError(f"--device {device}: no such device here; available: "
                                 f"{', '.join(_name(d) for d in local)}")
    chosen = local[index or 0]
    jax.config.update("jax_default_device", chosen)

    distribution = None
    if strategy == "multiworker":
        devices = [d for d in jax.devices() if d.platform == chosen.platform]  # every machine's
        distribution = keras.distribution.DataParallel(devices=devices)
    elif strategy == "mirrored" or (strategy == "auto" and device == "auto" and len(local) > 1):
        devices = local if index is None else [chosen]
        distribution = keras.distribution.DataParallel(devices=devices)
        strategy = "mirrored"
    else:
        devices = [chosen]
        strategy = "one_device" if strategy == "auto" else strategy
    keras.distribution.set_distribution(distribution)

    if seed is not None:
        keras.utils.set_random_seed(seed)  # Python, NumPy and Keras' seed generator; JAX's own RNG is explicit
    resolved = ", ".join(_name(d) for d in devices)
    return Runtime("jax", resolved, strategy, len(devices), precision, seed, distribution, worker_index, is_chief,
                   distribution.scope if distribution is not None else None)
