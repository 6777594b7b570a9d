"""Which Keras backend a process will use, and loading it without its start-up noise.

TensorFlow prints a page of C++ log lines while it loads (oneDNN, CUDA drivers, CPU features),
twice, before any of its settings can apply (``TF_CPP_MIN_LOG_LEVEL`` hides only the later
ones). The scripts load the backend once their arguments are parsed (``cli.parse_args``, so
``--help`` and argument errors need no backend), through :func:`load_backend`, which keeps those
lines off the terminal unless ``--verbose`` asks for them or the user set
``TF_CPP_MIN_LOG_LEVEL`` below 3 themselves. Imports nothing heavy itself.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
from pathlib import Path

import zoo

BACKENDS = ("tensorflow", "jax", "torch")


class BackendMissing(ValueError):
    """Keras' backend is not installed; the message (one line) says how to install it."""


def backend_name() -> str:
    """The backend Keras will choose, without importing Keras: ``KERAS_BACKEND``, else
    ``keras.json``'s, else TensorFlow (Keras' own order)."""
    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    name = os.environ.get("KERAS_BACKEND")
    if not name:
        home = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")
        try:
            name = json.loads((home / "keras.json").read_text()).get("backend")
        except (OSError, ValueError, AttributeError):
            name = None
    return name or "tensorflow"


@contextlib.contextmanager
def stderr_silenced():
    """File descriptor 2 to /dev/null for the block: C++ libraries write there directly."""
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def load_backend(verbose: bool = False) -> str:
    """Import Keras and its backend now, quietly unless ``verbose``; returns the backend's name."""
    if "keras" in sys.modules:
        return backend_name()
    name = backend_name()
    if name in BACKENDS and importlib.util.find_spec(name) is None:
        raise BackendMissing(f"Keras' backend is {name} (KERAS_BACKEND or ~/.keras/keras.json), which is not "
                         f"installed: pip install -e \".[{name}]\" (tensorflow is the book's), or set "
                         f"KERAS_BACKEND to an installed one")
    asked = zoo._USER_TF_LOG_LEVEL not in (None, "3")  # the user set a level that shows logs
    # TensorFlow loads on the other backends too where it is installed: the loaders' tf.data does
    tensorflow = importlib.util.find_spec("tensorflow") is not None
    with stderr_silenced() if tensorflow and not (verbose or asked) else contextlib.nullcontext():
        import keras
        if tensorflow:
            import tensorflow as tf

            if name == "tensorflow":
                tf.config.list_physical_devices()  # its last lines: when TensorFlow looks for devices
    return keras.backend.backend()
