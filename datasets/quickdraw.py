"""Quick, Draw! 28x28 bitmaps of one category, for the chapter 12 GAN.

Google's Quick, Draw! data set (https://quickdraw.withgoogle.com/data, CC BY 4.0) publishes
each category as a NumPy file of uint8 rows of 784 pixels (28x28, white ink on black), e.g.
``apple.npy`` with ~145,000 drawings. Sources, in order:

1. ``<category>.npy`` or ``full_numpy_bitmap_<category>.npy`` in ``data_dir`` /
   ``ZOO_DATA_DIR`` (also in a ``quickdraw/`` subfolder), then in the Keras cache;
2. a download of ``<category>.npy`` from the public bucket with ``keras.utils.get_file``;
3. with ``source="auto"`` and category ``apple`` only: the bundled sample of 3,000 real
   apple drawings (``samples/quickdraw_apple.npz``).

    from zoo.datasets import quickdraw
    train, _ = quickdraw.load("apple", batch_size=128)   # float32 (128, 28, 28, 1) in [0, 1]
    images = quickdraw.load_arrays("apple")              # uint8 (N, 28, 28)
"""

from __future__ import annotations

import pickle
import zipfile
import zlib
from pathlib import Path
from urllib.parse import quote

import numpy as np

from zoo.datasets import _sources
from zoo.datasets._sources import DataInfo, DataSourceError, Loaded
from zoo.datasets._validate import pixels_uint8

URL = "https://storage.googleapis.com/quickdraw_dataset/full/numpy_bitmap/{}.npy"
SAMPLE = "quickdraw_apple.npz"
SAMPLE_CATEGORIES = ("apple",)
IMAGE_SIZE = 28


def _file_names(category: str) -> list[str]:
    return [f"{category}.npy", f"full_numpy_bitmap_{category}.npy"]


def _check_category(category) -> str:
    if not isinstance(category, str) or not category.strip() or "/" in category or "\\" in category:
        raise DataSourceError(f"category={category!r} is invalid: expected a Quick, Draw! category name such as 'apple'")
    return category.strip()


def locate(category: str = "apple", source: str = "auto", data_dir=None) -> tuple[str, Path]:
    """``("full", path)`` of the category's ``.npy`` file, or ``("sample", path)``."""
    category = _check_category(category)
    names = _file_names(category)

    def find_local(folder):
        return _sources.find_file(names, folder, subdirs=("", "quickdraw")) or _sources.keras_cache_file(names)

    def fetch():
        # Google publishes no checksums for these files; the shape check in _read catches a bad file.
        return _sources.download(f"{category}.npy", URL.format(quote(category)), what=names[0])

    sample = SAMPLE if category in SAMPLE_CATEGORIES else None
    if source == "sample" and sample is None:
        raise DataSourceError(
            f"quickdraw: no bundled sample for category {category!r} (only {', '.join(SAMPLE_CATEGORIES)}); "
            f"put {names[0]} into --data-dir or use --data full"
        )
    return _sources.locate(
        f"quickdraw {category}", source, data_dir, find_local, fetch, sample=sample,
        wanted=" or ".join(names),
    )


def _read(path: Path, category: str) -> np.ndarray:
    """The drawings in ``path`` as uint8 (N, 28, 28), or one clear line on a bad file.

    Float drawings follow the loaders' one pixel rule: [0, 1] is taken as already scaled,
    [0, 255] as pixels (see ``pixels_uint8``).
    """
    try:
        if path.suffix == ".npz":
            with np.load(path) as archive:
                if category not in archive.files:
                    raise DataSourceError(f"{path} has no {category!r} drawings (it holds {archive.files})")
                data = archive[category]
        else:
            data = np.load(path, allow_pickle=False)
    except DataSourceError:
        raise
    # truncated, not NumPy, pickled objects: all one line to the user
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile, pickle.UnpicklingError, KeyError, ValueError) as error:
        raise _sources.read_error(path, error) from None
    pixels = IMAGE_SIZE * IMAGE_SIZE
    if data.ndim == 2 and data.shape[1] == pixels:
        data = data.reshape(-1, IMAGE_SIZE, IMAGE_SIZE)
    elif data.ndim == 3 and data.shape[1:] == (1, pixels):  # some mirrors keep a singleton axis
        data = data.reshape(-1, IMAGE_SIZE, IMAGE_SIZE)
    if data.ndim != 3 or data.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE) or len(data) == 0:
        raise DataSourceError(
            f"{path} has shape {data.shape}: expected Quick, Draw! bitmaps of shape (N, 784) "
            f"or (N, 28, 28)"
        )
    return pixels_uint8(data, str(path))


def load_arrays(category: str = "apple", source: str = "auto", data_dir=None, max_examples=None,
                seed=None, return_info: bool = False):
    """The category's drawings as uint8 (N, 28, 28), ink 0..255, like ``keras.datasets`` images.

    ``max_examples`` keeps the first N (after a shuffle with ``seed`` when one is given).
    With ``return_info`` also returns a :class:`DataInfo`.
    """
    if max_examples is not None and (isinstance(max_examples, bool) or not isinstance(max_examples, int)
                                     or max_examples < 1):
        raise ValueError(f"max_examples={max_examples!r} is invalid: expected None or an integer >= 1")
    category = _check_category(category)
    kind, path = locate(category, source, data_dir)
    images = _read(path, category)
    if seed is not None:
        images = images[np.random.default_rng(seed).permutation(len(images))]
    if max_examples is not None:
        images = images[:max_examples]
    if not return_info:
        return images
    notes = {"category": category, "licence": "CC BY 4.0 (Google Quick, Draw!)"}
    if kind == "sample":
        notes["sample"] = "the first 3,000 drawings of apple.npy (see datasets/samples/README.md)"
    return images, DataInfo(f"quickdraw/{category}", kind, str(path), len(images), 0, notes)


def load(category: str = "apple", batch_size: int = 128, source: str = "auto", data_dir=None,
         max_examples=None, seed: int = 0, repeat: bool = True):
    """``(train, None)``: shuffled full batches of float32 (batch, 28, 28, 1) drawings in [0, 1].

    A GAN has no validation set, so the second element is None (kept for the loaders' common
    shape). ``repeat`` makes an endless stream (the GAN counts iterations, not passes): pass
    after pass, each a fresh seeded permutation, end to end; every batch is full, as the
    book's fixed-size batches are. The batches come from a prefetched tf.data pipeline, or
    without TensorFlow from a ``keras.utils.PyDataset`` giving the same batches. ``.info``
    says where the data came from.
    """
    from zoo.datasets import batches

    batches.check_batch_size(batch_size)
    images, info = load_arrays(category, source, data_dir, max_examples, return_info=True)
    if len(images) < batch_size:
        raise DataSourceError(
            f"quickdraw {category}: only {len(images)} drawings for batches of {batch_size}; lower --batch-size"
        )
    info.notes["batch_size"] = batch_size
    order = batches.Order(len(images), batch_size, shuffle=True, seed=seed, endless=repeat, drop_remainder=True)
    # the book's preprocessing: divide by 255, reshape to 28x28x1 (per batch)
    if not batches.tensorflow_available():
        return Loaded(batches.Batches(order, lambda index: images[index, ..., None].astype(np.float32) / 255.0), None, info)
    import tensorflow as tf

    drawings = tf.constant(images)
    train = batches.tf_batches(order, lambda index: tf.cast(tf.gather(drawings, index), tf.float32)[..., None] / 255.0)
    return Loaded(train, None, info)
