"""What every backend's layer of ``zoo.runtime`` shares: the :class:`Runtime` it returns, its
error and the reading of a device name. Kept out of the package's ``__init__``, which imports
the layers, so that no layer imports the module that imports it."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Callable

from zoo.choices import DEVICE_HELP


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

