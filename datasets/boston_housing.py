"""Boston housing (chapter 9's regression example): 13 features, median value in $1000s.

The split is Keras' own (``keras.datasets.boston_housing``): the 506 rows shuffled with seed
113, the first 80% (404 rows) for training and the rest (102) for validation. The whole
table is small enough to ship, so the bundled copy is the full dataset and every source
reports ``"full"``; ``.info.notes["bundled"]`` says when the bundled file was used.

Where the table comes from: ``boston_housing.npz`` (Keras' file: arrays ``x`` (N, 13) and
``y`` (N,)) in ``data_dir``, else in ``ZOO_DATA_DIR`` or the Keras cache, else the bundled
copy. An explicit ``data_dir`` without the file is an error rather than a silent fallback:
the user asked for that folder.
"""

from __future__ import annotations

import pickle
import zipfile
import zlib
from pathlib import Path

import numpy as np

from zoo.datasets._sources import (
    DataInfo, DataSourceError, Loaded, check_source, find_file, keras_cache_file, read_error, resolve_data_dir,
    sample_path,
)

FILE = "boston_housing.npz"
N_FEATURES = 13


def _read(path: Path):
    """The table's features and targets as float32, or one line on what is wrong with the file."""
    try:
        with np.load(path) as data:
            x, y = data["x"], data["y"]
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile, pickle.UnpicklingError, KeyError,
            ValueError) as error:
        raise read_error(path, error) from None
    for key, array in (("x", x), ("y", y)):
        if array.dtype.kind not in "uif":
            raise DataSourceError(f"{key} in {path} holds {array.dtype} values: expected numbers")
    if x.ndim != 2 or x.shape[1] != N_FEATURES or y.ndim != 1 or len(x) != len(y):
        raise DataSourceError(f"{path}: features have shape {x.shape} for targets of shape {y.shape}; "
                              f"expected x (N, 13) and y (N,)")
    if len(x) == 0:
        raise DataSourceError(f"{path} holds no rows")
    for key, array in (("x", x), ("y", y)):
        if not np.isfinite(array).all():
            raise DataSourceError(f"{key} in {path} holds NaN or infinite values: expected a complete table")
    return x.astype(np.float32), y.astype(np.float32)


def load_arrays(source: str = "auto", data_dir=None, test_split: float = 0.2, seed: int = 113) -> Loaded:
    """``((x_train, y_train), (x_valid, y_valid))`` exactly as ``keras.datasets.boston_housing``."""
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float)) or not 0 < test_split < 1:
        raise ValueError(f"test_split={test_split!r} is invalid: expected a fraction between 0 and 1")
    bundled = sample_path(FILE) if check_source(source) == "sample" else None
    if bundled is None:
        folder = resolve_data_dir(data_dir)
        path = find_file([FILE], folder)
        if path is None and data_dir not in (None, ""):
            raise DataSourceError(f"--data-dir {folder} has no {FILE}: put Keras' {FILE} there "
                                  f"(arrays x (N, 13) and y (N,)), or leave out --data-dir to use the bundled table")
        path = path or keras_cache_file(FILE)
        if path is None:
            bundled = sample_path(FILE)
    path = bundled or path
    x, y = _read(path)
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    if cut == 0 or cut == len(x):
        raise DataSourceError(f"{path} holds only {len(x)} row{'s' * (len(x) != 1)}: too few for a training "
                              f"and a validation split (test_split={test_split})")
    notes = {"bundled": "the whole 506-row table shipped with the package"} if bundled else {}
    # The bundled table is the whole dataset, so every source counts as full.
    info = DataInfo("boston_housing", "full", str(path), cut, len(x) - cut, notes)
    return Loaded((x[:cut], y[:cut]), (x[cut:], y[cut:]), info)


def load(batch_size: int = 8, source: str = "auto", data_dir=None, shuffle: bool = True, seed: int | None = None) -> Loaded:
    """``(train, validation)`` batches of (13 features, price) float32 pairs: tf.data pipelines, or
    without TensorFlow ``keras.utils.PyDataset``s giving the same batches. Training rows are
    reshuffled every pass (seeded)."""
    from zoo.datasets import batches

    batches.check_batch_size(batch_size)
    arrays = load_arrays(source, data_dir)

    def pipeline(x, y, training):
        order = batches.Order(len(x), batch_size, shuffle=training and shuffle, seed=seed)
        if not batches.tensorflow_available():
            return batches.Batches(order, lambda index: (x[index], y[index]))
        import tensorflow as tf

        features, targets = tf.constant(x), tf.constant(y)
        return batches.tf_batches(order, lambda index: (tf.gather(features, index), tf.gather(targets, index)))

    (x_train, y_train), (x_valid, y_valid) = arrays
    return Loaded(pipeline(x_train, y_train, True), pipeline(x_valid, y_valid, False), arrays.info)
