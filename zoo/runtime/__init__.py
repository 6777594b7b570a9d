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

import contextlib
import logging
from dataclasses import dataclass, field
from typing import Callable

import keras

from zoo.cli import DEVICE_HELP, PRECISIONS, STRATEGIES

log = logging.getLogger("zoo.runtime")


class RuntimeConfigError(ValueError):
    """A device, strategy or precision that cannot be used here; the message is one line."""


@dataclass
class Runtime:
    backend: str
    device: str  # the device chosen (for data-parallel strategies: the devices, comma separated)
    strategy_name: str
    replicas: int
    precision: str
    seed: int | None
    strategy: object = None  # tf.distribute.Strategy, keras.distribution.Distribution or None
    worker_index: int = 0
    is_chief: bool = True
    make_scope: Callable | None = field(default=None, repr=False)

    def scope(self):
        """Build and compile models in here, so their variables live where the strategy wants."""
        return self.make_scope() if self.make_scope else contextlib.nullcontext()

    def describe(self) -> str:
        replicas = f"{self.replicas} replica{'s' if self.replicas != 1 else ''}"
        seed = "random" if self.seed is None else str(self.seed)
        how = type(self.strategy).__name__ if self.strategy is not None else "no distribution"
        return (f"backend {self.backend}; device {self.device}; strategy {self.strategy_name} ({how}, {replicas}); "
                f"precision {self.precision}; seed {seed}")

    def as_dict(self) -> dict:
        return {"backend": self.backend, "device": self.device, "strategy": self.strategy_name,
                "replicas": self.replicas, "precision": self.precision, "seed": self.seed}


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


def device_kind(device: str) -> tuple[str, int | None]:
    """``("gpu", 1)`` for gpu:1, /GPU:1 or /device:GPU:1; ``("cpu", None)`` for cpu; the kind
    lower-cased, the index None when not given. Raises for what is no device name at all."""
    short = device.strip().lstrip("/")
    if short.lower().startswith("device:"):
        short = short[len("device:"):]
    kind, _, index = short.partition(":")
    kind = kind.lower()
    if kind == "cuda":
        kind = "gpu"
    if kind not in ("cpu", "gpu") or (index and not index.isdigit()):
        raise RuntimeConfigError(f"--device {device!r} is not understood: expected {DEVICE_HELP}")
    return kind, int(index) if index else None

