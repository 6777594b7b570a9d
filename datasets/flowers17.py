"""Oxford Flowers 17 (Nilsback and Zisserman, 2006), the book's data for AlexNet and VGGNet.

1,360 photos, 17 classes of 80, as released in ``17flowers.tgz``: a folder ``jpg/`` of
``image_0001.jpg`` .. ``image_1360.jpg`` in class order (images 1-80 are daffodils, 81-160
snowdrops, ...), so a photo's class is ``(number - 1) // 80``.

Where the data comes from (see ``zoo.datasets._sources``): ``data_dir``/``ZOO_DATA_DIR``
holding ``17flowers.tgz``, its ``jpg/`` folder, or either inside ``17flowers/`` or
``flowers17/``; the same in the Keras cache; a download of ``17flowers.tgz`` from the
Oxford VGG group (md5-checked); with ``source="auto"``, the bundled real sample.

    from zoo.datasets import flowers17
    train, validation = flowers17.load(batch_size=64)            # 224x224, one-hot, 1/255
    (x_train, y_train), (x_val, y_val) = flowers17.load_arrays()  # uint8 images, int labels
"""

from __future__ import annotations

import re
import tarfile
import zlib
from pathlib import Path

import numpy as np

from zoo.datasets import images
from zoo.datasets._sources import (
    DataInfo,
    DataSourceError,
    Loaded,
    download,
    keras_cache_dir,
    locate,
    read_error,
)

NAME = "flowers17"
CLASS_NAMES = (
    "daffodil", "snowdrop", "lilyvalley", "bluebell", "crocus", "iris", "tigerlily", "tulip",
    "fritillary", "sunflower", "daisy", "coltsfoot", "dandelion", "cowslip", "buttercup",
    "windflower", "pansy",
)
NUM_CLASSES = len(CLASS_NAMES)
IMAGES_PER_CLASS = 80
ARCHIVE = "17flowers.tgz"
ORIGIN = "https://www.robots.ox.ac.uk/~vgg/data/flowers/17/17flowers.tgz"
ARCHIVE_MD5 = "b59a65d8d1a99cd66944d474e1289eab"
SAMPLE = "flowers17"  # datasets/samples/flowers17/jpg/image_NNNN.jpg, original names kept
WANTED = f"{ARCHIVE} or its jpg/ folder (image_0001.jpg .. image_1360.jpg)"

_IMAGE_NAME = re.compile(r"image_(\d{4})\.jpg$")
_SUBDIRS = ("", "17flowers", "flowers17", "17flowers.tgz_extracted", "17flowers.tgz_extracted/17flowers")


def label_of(filename: str) -> int:
    """The class of ``image_NNNN.jpg``: the release is ordered, 80 photos per class."""
    match = _IMAGE_NAME.search(filename)
    if not match or not 1 <= int(match.group(1)) <= NUM_CLASSES * IMAGES_PER_CLASS:
        raise DataSourceError(f"{filename} is not a Flowers 17 file name (image_0001.jpg .. image_1360.jpg)")
    return (int(match.group(1)) - 1) // IMAGES_PER_CLASS


def _find(folder: Path | None) -> Path | None:
    """A ``jpg/`` folder of ``image_NNNN.jpg`` files or the archive, in ``folder``."""
    if folder is None:
        return None
    for subdir in _SUBDIRS:
        base = folder / subdir
        if (base / "jpg").is_dir() and any((base / "jpg").glob("image_*.jpg")):
            return base / "jpg"
        if base.name == "jpg" and any(base.glob("image_*.jpg")):
            return base
        if (base / ARCHIVE).is_file():
            return base / ARCHIVE
    return None


def _find_local(folder: Path | None) -> Path | None:
    found = _find(folder)
    if found is None and folder is not None and (folder / "jpg").is_dir():
        # the user pointed at a Flowers-like folder whose files are not named as released
        raise DataSourceError(f"{folder / 'jpg'} holds no image_NNNN.jpg files; expected {WANTED}")
    return found or _find(keras_cache_dir())


def _fetch() -> Path:
    return download(ARCHIVE, ORIGIN, file_hash=ARCHIVE_MD5, what=ARCHIVE)


def _items(path: Path):
    """(name, path-or-bytes, label) for every photo of a ``jpg/`` folder or the archive."""
    if path.is_dir():
        return [(str(file), file, label_of(file.name)) for file in images.image_files(path, "image_*.jpg")]
    try:
        with tarfile.open(path) as archive:
            members = [m for m in archive.getmembers() if m.isfile() and _IMAGE_NAME.search(m.name)]
            return [(f"{path}:{m.name}", archive.extractfile(m).read(), label_of(m.name)) for m in members]
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise read_error(path, error) from None


def _split(labels, validation_split, seed):
    """A seeded split stratified by class, as the book's validation_split=0.1."""
    from sklearn.model_selection import train_test_split

    if not 0.0 < validation_split < 1.0:
        raise ValueError(f"validation_split={validation_split!r} is invalid: expected a fraction in (0, 1)")
    indices = np.arange(len(labels))
    counts = np.bincount(labels)
    stratify = labels if counts[counts > 0].min() >= 2 else None
    n_val = max(1, int(round(validation_split * len(labels))))
    if n_val >= len(labels):
        raise DataSourceError(f"{len(labels)} Flowers 17 photos leave none for training with "
                              f"validation_split={validation_split}; use a smaller fraction or more photos")
    n_classes = len(np.unique(labels))
    if stratify is not None and min(n_val, len(labels) - n_val) < n_classes:
        stratify = None  # too few photos to give every class a training and a validation photo
    train, val = train_test_split(indices, test_size=n_val, random_state=seed, stratify=stratify)
    return np.sort(train), np.sort(val)


def _load(image_size, source, data_dir, seed, validation_split):
    kind, path = locate(NAME, source, data_dir, _find_local, fetch=_fetch, sample=SAMPLE, wanted=WANTED)
    if kind == "sample":
        path = path / "jpg"
    items = _items(path)
    if not items:
        raise DataSourceError(f"{path} holds no Flowers 17 photos; expected {WANTED}")
    photos, labels, skipped = images.decode(items, image_size, what=NAME)
    classes = np.unique(labels)
    if len(classes) < 2:  # a one-class classifier learns nothing; nor can it be split
        raise DataSourceError(f"{path} holds {len(labels)} decodable photo(s), all of class {CLASS_NAMES[classes[0]]}: "
                              f"expected photos of at least two classes ({WANTED})")
    train, val = _split(labels, validation_split, seed)
    info = DataInfo(
        name=NAME, source=kind, origin=str(path), n_train=len(train), n_validation=len(val),
        notes={"class_names": list(CLASS_NAMES), "image_size": list(images.image_size_pair(image_size)),
               "skipped": skipped, "split": f"stratified, seed {seed}, validation {validation_split}"},
    )
    return (photos[train], labels[train]), (photos[val], labels[val]), info


def load_arrays(image_size=224, source="auto", data_dir=None, seed=42, validation_split=0.1):
    """((x_train, y_train), (x_val, y_val)): uint8 images (n, height, width, 3), int labels 0-16."""
    train, val, _ = _load(image_size, source, data_dir, seed, validation_split)
    return train, val


def load(batch_size=64, image_size=224, source="auto", data_dir=None, seed=42, validation_split=0.1,
         augment=False, preprocess="book"):
    """(train, validation) batches of (float32 images, one-hot labels), with ``.info``: tf.data
    pipelines, or without TensorFlow ``keras.utils.PyDataset``s giving the same batches.

    Args:
        batch_size: photos per batch.
        image_size: an int or (height, width); every photo is resized to it.
        source: "auto", "full" or "sample" (see the module docstring).
        data_dir: a folder to look in first (else ``ZOO_DATA_DIR``).
        seed: the split's and the shuffling's seed.
        validation_split: the fraction held out, stratified by class (the book: 0.1).
        augment: rotate (up to 30 degrees, reflected fill) and flip training photos; the
            book's AlexNet and VGGNet did not.
        preprocess: "book" (divide by 255) or "imagenet" (VGG19's preprocess_input).
    """
    images.check_preprocess(preprocess)
    (x_train, y_train), (x_val, y_val), info = _load(image_size, source, data_dir, seed, validation_split)
    info.notes.update(preprocess=preprocess, augment=bool(augment))
    train = images.pipeline(x_train, y_train, NUM_CLASSES, batch_size, training=True, augment=augment,
                             preprocess=preprocess, seed=seed)
    validation = images.pipeline(x_val, y_val, NUM_CLASSES, batch_size, training=False, preprocess=preprocess)
    return Loaded(train, validation, info)
