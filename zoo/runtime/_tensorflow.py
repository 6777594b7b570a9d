"""The TensorFlow layer of ``zoo.runtime``: ``tf.distribute`` (one device, MirroredStrategy,
MultiWorkerMirroredStrategy) and TensorFlow's device names."""

from __future__ import annotations

import contextlib
import json
import logging
import os

import keras
import tensorflow as tf

from zoo.runtime._shared import Runtime, RuntimeConfigError, device_kind

log = logging.getLogger("zoo.runtime")


def _split_cpu(count: int) -> None:
    """Expose ``count`` logical CPU devices (ZOO_LOGICAL_CPUS), to try multi-replica code without GPUs."""
    cpus = tf.config.list_physical_devices("CPU")
    try:
        tf.config.set_logical_device_configuration(cpus[0], [tf.config.LogicalDeviceConfiguration()] * count)
    except RuntimeError:  # TensorFlow already initialised its devices; keep what it has
        log.warning("ZOO_LOGICAL_CPUS ignored: TensorFlow's devices were already initialised")


def _enable_memory_growth(gpus) -> None:
    # Without memory growth TensorFlow takes all GPU memory up front, which breaks sharing a GPU.
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:
            pass  # already initialised: the setting cannot change any more


def _resolve_device(device: str, gpus) -> str:
    available = [d.name for d in tf.config.list_logical_devices()]
    if device == "auto":
        return "/device:GPU:0" if gpus else "/device:CPU:0"
    if device == "cpu":
        return "/device:CPU:0"
    if device == "gpu":
        if not gpus:
            raise RuntimeConfigError(
                "--device gpu: TensorFlow sees no GPU here (install with pip install -e '.[gpu]' "
                "on a CUDA machine, or use --device cpu)"
            )
        return "/device:GPU:0"
    kind, index = device_kind(device)
    name = f"/device:{kind.upper()}:{index or 0}"
    if name not in available:
        raise RuntimeConfigError(f"--device {device}: no such device here; available: {', '.join(available)}")
    return name


def _is_multiworker(strategy) -> bool:
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def enable_multiworker_fit() -> None:
    """Let Keras 3's ``fit``/``evaluate`` run under MultiWorkerMirroredStrategy.

    Keras 3 (up to 3.15 at least, keras-team/keras#20585) fails there in two places, both
    only under this strategy: ``_maybe_symbolic_build`` all-reduces a whole input batch just
    to learn its shapes (it fails on the PerReplica batch), and ``reduce_per_replica`` averages
    each step's scalar metrics with ``axis=0`` (a scalar has no axis 0). The first replica's
    batch has the same shapes, and metrics averaged element-wise across replicas are what the
    single-machine MirroredStrategy reports. Other strategies keep Keras' own code. A two-worker
    run ends with the weights of one process with the same global batch, to float rounding
    (tests/test_runtime.py).
    Idempotent; ``configure(strategy="multiworker")`` calls it.
    """
    from keras import tree
    from keras.src.backend.tensorflow import trainer as tf_trainer

    if getattr(tf_trainer.reduce_per_replica, "zoo_multiworker", False):
        return
    keras_reduce = tf_trainer.reduce_per_replica
    keras_symbolic_build = tf_trainer.TensorFlowTrainer._maybe_symbolic_build

    def reduce_per_replica(values, strategy, reduction):
        if reduction == "auto" and _is_multiworker(strategy):
            return tree.map_structure(lambda value: strategy.reduce("MEAN", value, axis=None), values)
        return keras_reduce(values, strategy, reduction)

    def maybe_symbolic_build(self, iterator=None, data_batch=None):
        strategy = self._distribute_strategy
        if iterator is not None and _is_multiworker(strategy):
            for _, _, batches in iterator:
                data_batch = tree.map_structure(lambda value: strategy.experimental_local_results(value)[0],
                                                next(batches))
                break
            iterator = None
        return keras_symbolic_build(self, iterator=iterator, data_batch=data_batch)

    reduce_per_replica.zoo_multiworker = True
    tf_trainer.reduce_per_replica = reduce_per_replica
    tf_trainer.TensorFlowTrainer._maybe_symbolic_build = maybe_symbolic_build


def _task_from_tf_config() -> tuple[int, bool]:
    """(worker index, is chief) from TF_CONFIG, as MultiWorkerMirroredStrategy reads it."""
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        raise RuntimeConfigError("--strategy multiworker needs TF_CONFIG (cluster and task) in the environment")
    try:
        config = json.loads(raw)
        task = config["task"]
        kind, index = task["type"], int(task["index"])
        has_chief = "chief" in config["cluster"]
    except (ValueError, KeyError, TypeError) as error:
        raise RuntimeConfigError(f"TF_CONFIG is not valid ({error}); see the README's multi-machine section") from None
    is_chief = kind == "chief" or (kind == "worker" and index == 0 and not has_chief)
    return index, is_chief


def configure(device: str, strategy: str, precision: str, seed: int | None) -> Runtime:
    """Choose the device, build the distribution strategy and seed (``zoo.runtime.configure``)."""
    worker_index, is_chief = 0, True
    if strategy == "multiworker":
        # The collective must exist before any other TensorFlow operation runs.
        worker_index, is_chief = _task_from_tf_config()
        chosen = tf.distribute.MultiWorkerMirroredStrategy()
        enable_multiworker_fit()
        resolved = ", ".join(chosen.extended.worker_devices)
    else:
        logical_cpus = int(os.environ.get("ZOO_LOGICAL_CPUS", "0") or 0)
        if logical_cpus > 1:
            _split_cpu(logical_cpus)
        gpus = tf.config.list_physical_devices("GPU")
        _enable_memory_growth(gpus)
        resolved = _resolve_device(device, gpus)
        if strategy == "mirrored" or (strategy == "auto" and device == "auto" and len(gpus) > 1):
            kind = "GPU" if gpus and "CPU" not in resolved else "CPU"
            devices = [d.name for d in tf.config.list_logical_devices(kind)]
            if device not in ("auto", "cpu", "gpu"):
                devices = [resolved]
            chosen = tf.distribute.MirroredStrategy(devices=devices)
            resolved = ", ".join(devices)
            strategy = "mirrored"
        elif strategy == "default":
            chosen = tf.distribute.get_strategy()
        else:
            chosen = tf.distribute.OneDeviceStrategy(resolved)
            strategy = "one_device"

    if seed is not None:
        # Same seed, same numbers: seeds Python, NumPy and TensorFlow, and asks TensorFlow
        # for deterministic kernels (a little slower; only when a seed is given).
        keras.utils.set_random_seed(seed)
        tf.config.experimental.enable_op_determinism()

    def scope():
        if strategy == "default":
            stack = contextlib.ExitStack()
            stack.enter_context(chosen.scope())
            stack.enter_context(tf.device(resolved))
            return stack
        return chosen.scope()

    return Runtime("tensorflow", resolved, strategy, chosen.num_replicas_in_sync, precision, seed, chosen,
                   worker_index, is_chief, scope)
