"""MNIST and its drop-in twin Fashion-MNIST (the book's chapter 14 exercise).

    (x_train, y_train), (x_valid, y_valid) = mnist.load_arrays()          # uint8, as keras.datasets
    train, valid = mnist.load(flatten=True, batch_size=128)                 # the book's preprocessing

Full data is found in this order: ``data_dir``/``ZOO_DATA_DIR`` (the Keras file ``mnist.npz``
or the four idx ``.gz`` files), the Keras cache, tensorflow-datasets (already prepared, never
downloaded here), a Keras download; with ``source="auto"`` the bundled 5,000-digit sample
(4,000 training, 1,000 validation) otherwise. Fashion-MNIST has no bundled sample.

What is read is checked before it is used: images must be (N, 28, 28) with N > 0 and
pixels as the loaders' one rule has them (integers in 0..255; floats in [0, 1], taken as
already scaled, or in [0, 255]), labels one integer 0..9 per image; anything else is one
line naming the file and what is wrong.
"""

from __future__ import annotations

import gzip
import pickle
import zipfile
import zlib
from pathlib import Path

import numpy as np

from zoo.datasets._sources import (SAMPLES_DIR, DataInfo, DataSourceError, Loaded, find_file, keras_cache_dir, locate,
                                   read_error)
from zoo.datasets._validate import class_labels, pixels_uint8

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
IDX_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
DATASET_HELP = "the images: MNIST's handwritten digits or Fashion-MNIST's clothes"
DATASETS = {
    "mnist": {
        "npz": "mnist.npz",
        "npz_hash": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
        "subdirs": ("", "mnist"),
        "cache_subdir": "",
        "tfds": "mnist",
        "sample": "mnist_sample.npz",
    },
    "fashion_mnist": {
        "npz": None,  # Keras ships Fashion-MNIST as the four idx files only
        "subdirs": ("", "fashion-mnist", "fashion_mnist"),
        "cache_subdir": "fashion-mnist",
        "tfds": "fashion_mnist",
        "sample": None,
    },
}
NUM_CLASSES = 10
# What reading a damaged npz or idx file raises (BadGzipFile is an OSError).
READ_ERRORS = (OSError, EOFError, zlib.error, zipfile.BadZipFile, pickle.UnpicklingError, KeyError, ValueError)


def _check(dataset: str) -> dict:
    if dataset not in DATASETS:
        raise DataSourceError(f"dataset={dataset!r} is not one of {', '.join(DATASETS)}")
    return DATASETS[dataset]


def _read_npz(path: Path):
    """Keras' mnist.npz, each array with the words that name it in an error."""
    try:
        with np.load(path) as data:
            return tuple(((data[f"x_{part}"], f"x_{part} in {path}"), (data[f"y_{part}"], f"y_{part} in {path}"))
                         for part in ("train", "test"))
    except READ_ERRORS as error:
        raise read_error(path, error) from None


def _read_idx(path: Path, magic: int) -> np.ndarray:
    """One idx file (LeCun's format): big-endian magic, dimensions, then uint8 data."""
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read()
        header = np.frombuffer(raw, ">i4", count=1 if magic == 2049 else 3, offset=4)
        if int.from_bytes(raw[:4], "big") != magic:
            raise ValueError(f"magic number {int.from_bytes(raw[:4], 'big')} is not {magic}")
        data = np.frombuffer(raw, np.uint8, offset=8 if magic == 2049 else 16)
        return data.reshape(tuple(header))
    except READ_ERRORS as error:
        raise read_error(path, error) from None


def _read_idx_folder(folder: Path):
    images_train, labels_train, images_test, labels_test = (folder / name for name in IDX_FILES)
    return (((_read_idx(images_train, 2051), str(images_train)), (_read_idx(labels_train, 2049), str(labels_train))),
            ((_read_idx(images_test, 2051), str(images_test)), (_read_idx(labels_test, 2049), str(labels_test))))


def _checked(images, images_where: str, labels, labels_where: str, part: str):
    """One split as uint8 (N, 28, 28) images in 0..255 and uint8 labels 0..9, or one line on what is wrong."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or len(images) != len(labels):
        raise DataSourceError(f"{images_where}: {part} images have shape {images.shape} for {len(labels)} labels; "
                              f"expected (N, 28, 28) and N labels")
    if len(images) == 0:
        raise DataSourceError(f"{images_where} holds no {part} images")
    images = pixels_uint8(images, images_where)
    labels = class_labels(labels, NUM_CLASSES, labels_where)
    return images, labels.astype(np.uint8)


def _find_local(spec: dict, folder: Path | None) -> Path | None:
    """An npz file or a folder holding the four idx files, in ``folder`` then the Keras cache."""
    cache = keras_cache_dir() / spec["cache_subdir"]
    for place, subdirs in ((folder, spec["subdirs"]), (cache, ("",))):
        if place is None:
            continue
        if spec["npz"] and (found := find_file([spec["npz"]], place, subdirs)):
            return found
        for subdir in subdirs:
            if all((place / subdir / name).exists() for name in IDX_FILES):
                return place / subdir
    return None


def _from_tfds(name: str):
    """Arrays from tensorflow-datasets when the dataset is already prepared (or mocked in tests)."""
    import logging

    absl_log = logging.getLogger("absl")
    level = absl_log.level
    absl_log.setLevel(logging.ERROR)  # tfds warns about every missing folder it probes
    try:
        import tensorflow_datasets as tfds

        splits = tfds.load(name, split=["train", "test"], as_supervised=True, download=False)
    except Exception:  # not installed, not prepared: not a source here
        return None
    finally:
        absl_log.setLevel(level)

    def arrays(split):
        # Batches rather than batch_size=-1, which aborts TF 2.21 on tfds' generator datasets.
        batches = list(tfds.as_numpy(split.batch(8192)))
        images = np.concatenate([images for images, _ in batches]).reshape(-1, 28, 28).astype(np.uint8)
        return images, np.concatenate([labels for _, labels in batches]).astype(np.uint8)

    return tuple(arrays(split) for split in splits)


def _download(dataset: str, spec: dict) -> Path:
    from zoo.datasets._sources import download

    if spec["npz"]:
        return download(spec["npz"], KERAS_ORIGIN + spec["npz"], spec["npz_hash"], what=spec["npz"])
    paths = [download(name, KERAS_ORIGIN + name, cache_subdir=f"datasets/{spec['cache_subdir']}",
                      what=f"the four idx files ({', '.join(IDX_FILES)})") for name in IDX_FILES]
    return paths[0].parent


def load_arrays(dataset: str = "mnist", source: str = "auto", data_dir=None) -> Loaded:
    """``((x_train, y_train), (x_valid, y_valid))`` as uint8 arrays: 28x28 images in 0..255, labels 0..9."""
    spec = _check(dataset)
    tfds_arrays = None

    def find_local(folder):
        nonlocal tfds_arrays
        found = _find_local(spec, folder)
        if found is None and folder is None:
            tfds_arrays = _from_tfds(spec["tfds"])
            if tfds_arrays is not None:
                return Path(f"tfds:{spec['tfds']}")
        return found

    wanted = (f"{spec['npz']} or " if spec["npz"] else "") + "the four idx files " + ", ".join(IDX_FILES)
    kind, path = locate(dataset, source, data_dir, find_local, fetch=lambda: _download(dataset, spec),
                        sample=spec["sample"], wanted=wanted)
    if tfds_arrays is not None and str(path).startswith("tfds:"):
        arrays = tuple(((x, f"{path} ({split} images)"), (y, f"{path} ({split} labels)"))
                       for (x, y), split in zip(tfds_arrays, ("train", "test")))
    elif path.is_dir():
        arrays = _read_idx_folder(path)
    else:
        arrays = _read_npz(path)
    (x_train, y_train), (x_valid, y_valid) = (
        _checked(*images, *labels, part) for (images, labels), part in zip(arrays, ("training", "validation")))
    info = DataInfo(dataset, kind, str(path), len(x_train), len(x_valid))
    return Loaded((x_train, y_train), (x_valid, y_valid), info)


def preprocess(images, labels, flatten: bool = True):
    """The book's preprocessing: flatten to 784 (or keep 28x28x1), float32 in [0, 1], one-hot labels
    (TensorFlow ops, for a tf.data pipeline)."""
    import tensorflow as tf

    shape = (-1, 784) if flatten else (-1, 28, 28, 1)
    images = tf.reshape(tf.cast(images, tf.float32) / 255.0, shape)
    return images, tf.one_hot(tf.cast(labels, tf.int32), NUM_CLASSES)


def preprocess_numpy(images, labels, flatten: bool = True):
    """:func:`preprocess` in NumPy, giving the same float32 values."""
    shape = (-1, 784) if flatten else (-1, 28, 28, 1)
    images = (images.astype(np.float32) / np.float32(255.0)).reshape(shape)
    return images, np.eye(NUM_CLASSES, dtype=np.float32)[labels]


def load_test_sample(flatten: bool = True):
    """The bundled first 1,000 digits of MNIST's official test split, which no weights of the zoo
    trained on, preprocessed as :func:`preprocess_numpy`: float32 images and one-hot labels."""
    with np.load(SAMPLES_DIR / "mnist_test_sample.npz") as digits:
        return preprocess_numpy(digits["x_test"], digits["y_test"], flatten)


def load(dataset: str = "mnist", flatten: bool = True, batch_size: int = 128, source: str = "auto",
         data_dir=None, shuffle: bool = True, seed: int | None = None, max_examples: int | None = None) -> Loaded:
    """``(train, validation)`` batches, preprocessed as the book does: tf.data pipelines (batched
    and preprocessed in parallel, prefetched), or without TensorFlow ``keras.utils.PyDataset``s
    giving the same batches. Training data is reshuffled every pass (seeded)."""
    from zoo.datasets import batches

    batches.check_batch_size(batch_size)
    arrays = load_arrays(dataset, source, data_dir)
    (x_train, y_train), (x_valid, y_valid) = arrays
    if max_examples is not None:
        x_train, y_train = x_train[:max_examples], y_train[:max_examples]
        x_valid, y_valid = x_valid[:max_examples], y_valid[:max_examples]

    def pipeline(images, labels, training):
        order = batches.Order(len(labels), batch_size, shuffle=training and shuffle, seed=seed)
        if not batches.tensorflow_available():
            return batches.Batches(order, lambda index: preprocess_numpy(images[index], labels[index], flatten))
        import tensorflow as tf

        # gather and preprocess whole batches, one vectorised op each
        images_tensor, labels_tensor = tf.constant(images), tf.constant(labels)
        return batches.tf_batches(
            order, lambda index: preprocess(tf.gather(images_tensor, index), tf.gather(labels_tensor, index), flatten))

    info = arrays.info
    info.n_train, info.n_validation = len(x_train), len(x_valid)
    return Loaded(pipeline(x_train, y_train, True), pipeline(x_valid, y_valid, False), info)
