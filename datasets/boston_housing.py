"""Boston housing (chapter 9's regression example): 13 features, median value in $1000s.

The split is Keras' own (``keras.datasets.boston_housing``): the 506 rows shuffled with seed
113, the first 80% (404 rows) for training and the rest (102) for validation. The whole
table is small enough to ship, so the bundled copy is the full dataset; ``boston_housing.npz``
from ``data_dir``/``ZOO_DATA_DIR`` or the Keras cache takes precedence when present.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from zoo.datasets._sources import (
    DataInfo, DataSourceError, Loaded, check_source, find_file, keras_cache_file, read_error, resolve_data_dir,
    sample_path,
)

FILE = "boston_housing.npz"
N_FEATURES = 13


def _read(path: Path):
    try:
        with np.load(path) as data:
            x, y = data["x"].astype(np.float32), data["y"].astype(np.float32)
    except Exception as error:
        raise read_error(path, error) from None
    if x.ndim != 2 or x.shape[1] != N_FEATURES or len(x) != len(y):
        raise DataSourceError(f"{path}: features have shape {x.shape} for {len(y)} targets; expected (N, 13)")
    return x, y


def load_arrays(source: str = "auto", data_dir=None, test_split: float = 0.2, seed: int = 113) -> Loaded:
    """``((x_train, y_train), (x_valid, y_valid))`` exactly as ``keras.datasets.boston_housing``."""
    if check_source(source) == "sample":
        path = sample_path(FILE)
    else:
        folder = resolve_data_dir(data_dir)
        path = find_file([FILE], folder) or keras_cache_file(FILE) or sample_path(FILE)
    x, y = _read(path)
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    # The bundled table is the whole dataset, so every source counts as full.
    info = DataInfo("boston_housing", "full", str(path), cut, len(x) - cut)
    return Loaded((x[:cut], y[:cut]), (x[cut:], y[cut:]), info)


def load(batch_size: int = 8, source: str = "auto", data_dir=None, shuffle: bool = True, seed: int | None = None) -> Loaded:
    """``(train, validation)`` tf.data pipelines of (13 features, price) pairs."""
    import tensorflow as tf

    arrays = load_arrays(source, data_dir)
    (x_train, y_train), (x_valid, y_valid) = arrays
    train = tf.data.Dataset.from_tensor_slices((x_train, y_train))
    if shuffle:
        train = train.shuffle(len(x_train), seed=seed)
    validation = tf.data.Dataset.from_tensor_slices((x_valid, y_valid))
    return Loaded(train.batch(batch_size).prefetch(tf.data.AUTOTUNE),
                  validation.batch(batch_size).prefetch(tf.data.AUTOTUNE), arrays.info)
