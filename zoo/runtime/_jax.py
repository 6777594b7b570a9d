"""The JAX layer of ``zoo.runtime``: one device, or ``keras.distribution.DataParallel`` over the
local devices (``mirrored``; ``auto`` with several GPUs) or over several machines' devices
(``multiworker``, through ``jax.distributed``: ``KERAS_DISTRIBUTION_JOB_ADDRESSES``,
``KERAS_DISTRIBUTION_NUM_PROCESSES`` and ``KERAS_DISTRIBUTION_PROCESS_ID`` in the environment, or a
cluster JAX detects itself).

Across machines every process feeds its own share of each global batch and Keras joins the
shares into one global array (``auto_shard_dataset=False``: Keras' own sharding takes only
tf.data pipelines of a known batch size, and none of the NumPy path's); the loaders cut the
shares (``zoo.datasets.batches.share_batches``)."""

from __future__ import annotations

import logging
import os

import jax
import keras
import numpy as np

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


def _share_batches(devices: list) -> None:
    """Make the loaders give this process its share of every global batch, drawn with a seed
    the processes agree on (process 0's) when the run has none of its own."""
    from jax.experimental import multihost_utils

    from zoo.datasets import batches

    seed = multihost_utils.broadcast_one_to_all(np.uint32(np.random.SeedSequence().entropy % 2**32))
    batches.share_batches(jax.process_index(), jax.process_count(), len(devices), int(seed))


def _process_local(value):
    """This process's rows of a batch-sharded output (as NumPy), which alone it may read; other
    values as they are."""
    if not isinstance(value, jax.Array) or value.is_fully_addressable:
        return value
    if value.ndim == 0 or value.is_fully_replicated:
        return np.asarray(value.addressable_shards[0].data)
    rows = {}  # the local devices' parts by their first row, each once (a part may be on several)
    for shard in value.addressable_shards:
        rows.setdefault(shard.index[0].start or 0, np.asarray(shard.data))
    return np.concatenate([rows[start] for start in sorted(rows)])


def enable_multiworker_predict() -> None:
    """Let ``predict`` run across processes: each process's inputs are its part of every global
    batch (as in ``fit``), and it gets back the predictions of its own inputs. Keras 3 (3.15)
    returns the global batch's outputs, which span other processes' devices and cannot be read
    here ("Fetching value for jax.Array that spans non-addressable devices"). One process keeps
    Keras' own code. Idempotent; ``configure(strategy="multiworker")`` calls it."""
    from keras.src.backend.jax.trainer import JAXTrainer

    if getattr(JAXTrainer.make_predict_function, "zoo_multiworker", False):
        return
    keras_make_predict_function = JAXTrainer.make_predict_function

    def make_predict_function(self, force=False):
        if self.predict_function is not None and not force:
            return self.predict_function
        keras_make_predict_function(self, force)
        if jax.process_count() > 1:
            global_predict = self.predict_function

            def predict_function(state, iterator):
                outputs, state = global_predict(state, iterator)
                return keras.tree.map_structure(_process_local, outputs), state

            self.predict_function = predict_function
        return self.predict_function

    make_predict_function.zoo_multiworker = True
    JAXTrainer.make_predict_function = make_predict_function


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
        distribution = keras.distribution.DataParallel(devices=devices, auto_shard_dataset=False)
        _share_batches(devices)
        enable_multiworker_predict()
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
