"""Shared by the photo loaders (Flowers 17, hot dog): decoding, resizing, the tf.data
pipeline with the book's augmentation, and the two preprocessing choices.

Photos are decoded once with Pillow into a uint8 array held in memory (the pipeline's
cache), so an undecodable file is found up front and skipped with a warning that names
it, instead of stopping training half-way through an epoch.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np

from zoo.datasets._sources import DataSourceError

log = logging.getLogger("zoo.datasets")

# how pixels (0-255) become model inputs:
#   book      divide by 255, as the book's ImageDataGenerator(rescale=1/255.) and tflearn did
#   imagenet  keras.applications.vgg19.preprocess_input (RGB->BGR, ImageNet channel means),
#             what Keras' ImageNet weights were trained with
PREPROCESSING = ("book", "imagenet")

# the book's augmentation for training photos (ImageDataGenerator(rotation_range=30,
# horizontal_flip=True, fill_mode='reflect')), as Keras preprocessing layers
ROTATION_DEGREES = 30


def image_size_pair(image_size) -> tuple[int, int]:
    """``224`` or ``(224, 224)`` -> (height, width), with a clear error otherwise."""
    size = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size or ())
    if len(size) != 2 or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in size):
        raise ValueError(f"image_size={image_size!r} is invalid: expected a positive int or (height, width)")
    return size


def check_preprocess(preprocess) -> str:
    if preprocess not in PREPROCESSING:
        raise ValueError(f"preprocess={preprocess!r} is invalid: expected one of {list(PREPROCESSING)}")
    return preprocess


MAX_SKIP_WARNINGS = 5  # files named one by one before the rest are only counted


def decode(items, image_size, what: str):
    """Decode ``items`` ((name, path-or-bytes, label) triples) into (uint8 images, labels).

    Every photo is converted to RGB and resized to ``image_size`` (height, width) without
    keeping the aspect ratio, as tflearn's and Keras' loaders for the book did. A file
    that cannot be decoded is skipped with a warning naming it.
    """
    from PIL import Image, UnidentifiedImageError

    height, width = image_size_pair(image_size)
    images, labels, skipped = [], [], []
    for name, source, label in items:
        try:
            with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
                image.draft("RGB", (width, height))  # JPEG decodes straight to a smaller scale: much faster
                image = image.convert("RGB").resize((width, height), Image.BILINEAR)
                images.append(np.asarray(image, dtype=np.uint8))
                labels.append(label)
        except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            if len(skipped) < MAX_SKIP_WARNINGS:
                log.warning("%s: skipping %s, which cannot be decoded (%s)", what, name, reason)
            skipped.append(str(name))
    if len(skipped) > MAX_SKIP_WARNINGS and images:  # a folder of damaged files is one summary, not a page
        log.warning("%s: %d image files could not be decoded in all (info.notes['skipped'] lists them)",
                    what, len(skipped))
    if not images:
        raise DataSourceError(f"{what}: none of the {len(skipped)} image files could be decoded "
                              f"(the first is {skipped[0]})")
    return np.stack(images), np.asarray(labels, dtype=np.int64), skipped


def augmenter(seed=None):
    """Random rotation up to 30 degrees with reflected fill and a random horizontal flip."""
    import keras

    return keras.Sequential(
        [
            keras.layers.RandomRotation(ROTATION_DEGREES / 360.0, fill_mode="reflect", seed=seed),
            keras.layers.RandomFlip("horizontal", seed=seed),
        ],
        name="augmentation",
    )


def preprocess_fn(preprocess: str):
    """Float images in 0-255 -> model inputs, for the chosen preprocessing."""
    import keras

    check_preprocess(preprocess)
    if preprocess == "imagenet":
        return keras.applications.vgg19.preprocess_input
    return lambda images: images / 255.0


def pipeline(images, labels, num_classes, batch_size, training, augment=False,
             preprocess="book", seed=None):
    """A batched, prefetched ``tf.data.Dataset`` of (float32 images, one-hot labels).

    Training data is reshuffled every epoch (seeded); augmentation runs on whole batches in
    the pipeline, on the CPU, while the model trains on the previous batch.
    """
    import tensorflow as tf

    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size={batch_size!r} is invalid: expected an integer >= 1")
    to_inputs = preprocess_fn(preprocess)
    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    if training:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size)
    dataset = dataset.map(
        lambda x, y: (tf.cast(x, tf.float32), tf.one_hot(y, num_classes)),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    if training and augment:
        augment_batch = augmenter(seed)
        dataset = dataset.map(lambda x, y: (augment_batch(x, training=True), y),
                              num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.map(lambda x, y: (to_inputs(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return without_autotuning(dataset.prefetch(tf.data.AUTOTUNE))


def without_autotuning(dataset):
    """``dataset`` with tf.data's autotuning model switched off.

    On a 2-core CPU that model made deleting an iterator (which ``fit`` does every epoch)
    block for up to 1.2 s, and a pass over in-memory photos ran 1.6-2x slower with it
    (measured). Without it AUTOTUNE still means something sensible: as many parallel calls
    as cores (at most 16), and a prefetch buffer that grows while the consumer waits.
    Elements and their order are unchanged.
    """
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp")


def image_files(folder: Path, pattern: str = "*") -> list[Path]:
    """Image files in ``folder``, sorted by name, skipping hidden and non-image files."""
    return sorted(
        path for path in folder.glob(pattern)
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".")
    )
