"""Loaders for the book's datasets, installed as ``zoo.datasets``.

Each module offers ``load(...)`` returning ``(train, validation)`` batches (with an ``.info``
attribute saying where the data came from): tf.data pipelines where TensorFlow is installed,
else ``keras.utils.PyDataset``s giving the same batches (see ``zoo.datasets.batches``); and
``load_arrays(...)`` returning NumPy arrays shaped as ``keras.datasets`` returns them.

What other packages need is exported here, so nothing outside ``zoo.datasets`` imports its
private modules: the error every loader raises for missing or bad data
(:class:`DataSourceError`, one line meant for the user), what a loader reports
(:class:`DataInfo`, :class:`Loaded`), the ``--data`` choices (``SOURCES``), the
``ZOO_OFFLINE`` switch (:func:`offline`), the ``--data-dir`` check (:func:`resolve_data_dir`)
the photo loaders' ``--preprocess`` choices (``PREPROCESSING``) and the folder of bundled
samples (``SAMPLES_DIR``, which tests read). Importing this package
does not import TensorFlow (nor Keras); the loaders do when batches are built.
"""

from zoo.datasets.images import PREPROCESSING
from zoo.datasets._sources import (
    SAMPLES_DIR, SOURCES, DataInfo, DataSourceError, Loaded, offline, resolve_data_dir,
)

__all__ = ["PREPROCESSING", "SAMPLES_DIR", "SOURCES", "DataInfo", "DataSourceError", "Loaded", "offline",
           "resolve_data_dir"]
