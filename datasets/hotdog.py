""""Hot dog / not hot dog" photos, the book's data for VGG19 transfer learning (chapter 10).

The public Kaggle set (about 500 training and 500 test photos) is a folder

    <root>/train/hot_dog/*.jpg   <root>/train/not_hot_dog/*.jpg
    <root>/test/hot_dog/*.jpg    <root>/test/not_hot_dog/*.jpg

that this loader reads from ``data_dir``/``ZOO_DATA_DIR`` (the root itself, or its
``hot-dog-not-hot-dog/``, ``hotdog/`` or ``seefood/`` subfolder) or from the same place in
the Keras cache. It cannot be downloaded without a Kaggle login, so there is no download
step. ``test/`` is the validation set, as in the book. Classes are ordered as Keras'
``flow_from_directory`` orders them: 0 ``hot_dog``, 1 ``not_hot_dog``.

No real hot-dog photos could be bundled, so ``source="sample"`` (and ``"auto"`` without
the real folder) gives ``samples/hotdog_synthetic/``: procedurally drawn cartoons (made by
:func:`draw_synthetic`) for smoke tests only. A model trained on them says nothing about
the book's result, and every run that uses them says so.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from zoo.datasets import images
from zoo.datasets._sources import DataInfo, DataSourceError, Loaded, announce, keras_cache_dir, locate

NAME = "hotdog"
CLASS_NAMES = ("hot_dog", "not_hot_dog")
NUM_CLASSES = len(CLASS_NAMES)
SPLITS = ("train", "test")
SAMPLE = "hotdog_synthetic"
WANTED = "train/ and test/ folders, each holding hot_dog/ and not_hot_dog/ photo folders"
_SUBDIRS = ("", "hot-dog-not-hot-dog", "hotdog", "seefood", "hot_dog_not_hot_dog")


def check_layout(root: Path) -> Path:
    """``root`` if it has the expected folders, else one line saying what is missing."""
    missing = [f"{split}/{name}/" for split in SPLITS for name in CLASS_NAMES if not (root / split / name).is_dir()]
    if missing:
        raise DataSourceError(f"{root} is not a hot dog folder: missing {', '.join(missing)} (expected {WANTED})")
    return root


def _find(folder: Path | None) -> Path | None:
    if folder is None:
        return None
    for subdir in _SUBDIRS:
        root = folder / subdir
        if any((root / split).is_dir() for split in SPLITS):
            return check_layout(root)  # it looks like the set: a wrong layout is an error, not a miss
    return None


def _find_local(folder: Path | None) -> Path | None:
    return _find(folder) or _find(keras_cache_dir())


def _split_arrays(root: Path, split: str, image_size):
    """One split's photos; an empty class folder, or one with no decodable photo, is an error:
    a split without one of the two classes would train or validate on nonsense."""
    files = {name: images.image_files(root / split / name) for name in CLASS_NAMES}
    if not any(files.values()):
        raise DataSourceError(f"{root / split} holds no photos; expected {WANTED}")
    for name, found in files.items():
        if not found:
            raise DataSourceError(f"{root / split / name} holds no photos ({', '.join(images.IMAGE_SUFFIXES)}); "
                                  f"put that class's photos there")
    items = [(str(file), file, label) for label, name in enumerate(CLASS_NAMES) for file in files[name]]
    photos, labels, skipped = images.decode(items, image_size, what=f"{NAME} {split}")
    counts = np.bincount(labels, minlength=NUM_CLASSES)
    for label, name in enumerate(CLASS_NAMES):
        if counts[label] == 0:
            raise DataSourceError(f"{root / split / name}: none of its {len(files[name])} photos could be decoded "
                                  f"(see the warnings above)")
    return photos, labels, skipped


def _load(image_size, source, data_dir):
    kind, root = locate(NAME, source, data_dir, _find_local, fetch=None, sample=SAMPLE, wanted=WANTED)
    check_layout(root)
    if kind == "sample":
        announce("hotdog: the bundled sample is synthetic drawings for smoke tests, not the real photos")
    x_train, y_train, skipped_train = _split_arrays(root, "train", image_size)
    x_val, y_val, skipped_val = _split_arrays(root, "test", image_size)
    info = DataInfo(
        name=NAME, source=kind, origin=str(root), n_train=len(x_train), n_validation=len(x_val),
        notes={"class_names": list(CLASS_NAMES), "image_size": list(images.image_size_pair(image_size)),
               "synthetic": kind == "sample", "skipped": skipped_train + skipped_val},
    )
    return (x_train, y_train), (x_val, y_val), info


def load_arrays(image_size=224, source="auto", data_dir=None):
    """((x_train, y_train), (x_test, y_test)): uint8 images (n, height, width, 3), int labels 0/1."""
    train, val, _ = _load(image_size, source, data_dir)
    return train, val


def load(batch_size=32, image_size=224, source="auto", data_dir=None, seed=42, augment=True, preprocess="book"):
    """(train, validation) batches of (float32 images, one-hot labels), with ``.info``: tf.data
    pipelines, or without TensorFlow ``keras.utils.PyDataset``s giving the same batches.

    Args:
        batch_size: photos per batch (the book: 32).
        image_size: an int or (height, width); every photo is resized to it.
        source: "auto", "full" or "sample" (see the module docstring).
        data_dir: a folder to look in first (else ``ZOO_DATA_DIR``).
        seed: the shuffling and augmentation seed.
        augment: the book's training augmentation (rotation up to 30 degrees with reflected
            fill, horizontal flip); validation photos are never augmented.
        preprocess: "book" (divide by 255, the book's rescale) or "imagenet" (VGG19's
            preprocess_input, what the ImageNet weights expect).
    """
    images.check_preprocess(preprocess)
    (x_train, y_train), (x_val, y_val), info = _load(image_size, source, data_dir)
    info.notes.update(preprocess=preprocess, augment=bool(augment))
    train = images.pipeline(x_train, y_train, NUM_CLASSES, batch_size, training=True, augment=augment,
                             preprocess=preprocess, seed=seed)
    validation = images.pipeline(x_val, y_val, NUM_CLASSES, batch_size, training=False, preprocess=preprocess)
    return Loaded(train, validation, info)


def draw_synthetic(root, n_train=16, n_test=8, size=96, seed=0) -> Path:
    """Draw the synthetic smoke-test set into ``root`` (how ``samples/hotdog_synthetic`` was made).

    ``hot_dog``: a tan bun around a red-brown sausage with a yellow mustard zigzag, at a
    random angle and scale. ``not_hot_dog``: a pizza, a doughnut, a salad or a burger. The
    backgrounds, colours and positions vary, so the two classes are learnable but not
    trivially by colour alone.
    """
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    root = Path(root)

    def jitter(color, amount=25):
        return tuple(int(np.clip(c + rng.integers(-amount, amount + 1), 0, 255)) for c in color)

    def canvas():
        return Image.new("RGB", (2 * size, 2 * size), jitter((225, 220, 210), 30))

    def hot_dog():
        image = canvas()
        draw = ImageDraw.Draw(image)
        c, length, width = size, int(size * rng.uniform(0.6, 0.8)), int(size * rng.uniform(0.2, 0.28))
        draw.rounded_rectangle([c - length // 2, c - width // 2, c + length // 2, c + width // 2],
                               radius=width // 2, fill=jitter((214, 160, 90)))
        sausage = int(length * 1.1), int(width * 0.45)
        draw.rounded_rectangle([c - sausage[0] // 2, c - sausage[1] // 2, c + sausage[0] // 2, c + sausage[1] // 2],
                               radius=sausage[1] // 2, fill=jitter((165, 60, 40)))
        xs = np.linspace(c - length // 2.5, c + length // 2.5, 9)
        points = [(x, c + (4 if i % 2 else -4)) for i, x in enumerate(xs)]
        draw.line(points, fill=jitter((240, 210, 30), 15), width=max(2, size // 40))
        return image.rotate(rng.uniform(0, 180), resample=Image.BILINEAR)

    def not_hot_dog():
        image = canvas()
        draw = ImageDraw.Draw(image)
        c, r = size, int(size * rng.uniform(0.25, 0.42))
        kind = rng.integers(4)
        if kind == 0:  # pizza
            draw.ellipse([c - r, c - r, c + r, c + r], fill=jitter((220, 170, 80)))
            draw.ellipse([c - r + 6, c - r + 6, c + r - 6, c + r - 6], fill=jitter((200, 60, 40)))
            for _ in range(6):
                x, y = rng.integers(c - r // 2, c + r // 2, size=2)
                draw.ellipse([x - 5, y - 5, x + 5, y + 5], fill=jitter((150, 30, 30)))
        elif kind == 1:  # doughnut
            draw.ellipse([c - r, c - r, c + r, c + r], fill=jitter((200, 140, 80)))
            draw.ellipse([c - r // 3, c - r // 3, c + r // 3, c + r // 3], fill=image.getpixel((2, 2)))
        elif kind == 2:  # salad
            for _ in range(14):
                x, y = rng.integers(c - r, c + r, size=2)
                s = int(rng.integers(6, 14))
                draw.ellipse([x - s, y - s, x + s, y + s], fill=jitter((60, 150, 50), 40))
        else:  # burger
            draw.chord([c - r, c - r, c + r, c + r // 2], 180, 360, fill=jitter((214, 160, 90)))
            draw.rectangle([c - r, c - r // 4, c + r, c + r // 6], fill=jitter((110, 60, 30)))
            draw.rectangle([c - r, c + r // 6, c + r, c + r // 3], fill=jitter((214, 160, 90)))
        return image.rotate(rng.uniform(0, 360), resample=Image.BILINEAR)

    for split, count in (("train", n_train), ("test", n_test)):
        for name, draw_one in (("hot_dog", hot_dog), ("not_hot_dog", not_hot_dog)):
            folder = root / split / name
            folder.mkdir(parents=True, exist_ok=True)
            for index in range(count):
                image = draw_one().crop((size // 2, size // 2, size * 3 // 2, size * 3 // 2))
                image.save(folder / f"synthetic_{index:03d}.jpg", quality=85)
    return root
