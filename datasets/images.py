"""Shared by the photo loaders (Flowers 17, hot dog): decoding, resizing, the batches (a
tf.data pipeline, or NumPy without TensorFlow) with the book's augmentation, and the two
preprocessing choices.

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
from zoo.errors import one_line

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
            reason = one_line(error, first_line=True)
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


# keras.applications.vgg19.preprocess_input's ("caffe" mode) ImageNet channel means, in BGR order
IMAGENET_BGR_MEANS = (103.939, 116.779, 123.68)


def preprocess_fn(preprocess: str, tensorflow: bool = False):
    """Float32 images in 0-255 -> model inputs, for the chosen preprocessing, as NumPy or (with
    ``tensorflow``) as TensorFlow ops for a tf.data pipeline. Both give the same float32 values."""
    check_preprocess(preprocess)
    if preprocess == "book":
        return lambda images: images / 255.0
    if tensorflow:  # Keras' own preprocess_input runs on the Keras backend, which may not be TensorFlow
        import tensorflow as tf

        means = tf.constant(IMAGENET_BGR_MEANS, tf.float32)
        return lambda images: tf.reverse(images, axis=[-1]) - means
    import keras

    return keras.applications.vgg19.preprocess_input


def pipeline(images, labels, num_classes, batch_size, training, augment=False,
             preprocess="book", seed=None):
    """Batches of (float32 images, one-hot float32 labels): a prefetched ``tf.data.Dataset``,
    or without TensorFlow a ``keras.utils.PyDataset`` giving the same batches.

    Training data is reshuffled every pass (seeded). Augmentation runs on whole batches: in
    the tf.data pipeline on the CPU while the model trains on the previous batch; on the
    NumPy path on the Keras backend, with its own random draws (so augmented photos differ
    between the two paths; the order of photos does not).
    """
    from zoo.datasets import batches

    order = batches.Order(len(images), batch_size, shuffle=training, seed=seed)
    # layer by layer: Keras' preprocessing layers run inside a tf.data graph on any backend; a Sequential does not
    augmentation = augmenter(seed).layers if training and augment else ()
    if batches.tensorflow_available():
        import tensorflow as tf

        to_inputs = preprocess_fn(preprocess, tensorflow=True)
        images_tensor, labels_tensor = tf.constant(images), tf.constant(labels)

        def tf_batch(indices):
            x = tf.cast(tf.gather(images_tensor, indices), tf.float32)
            for layer in augmentation:
                x = layer(x, training=True)
            return to_inputs(x), tf.one_hot(tf.gather(labels_tensor, indices), num_classes)

        return batches.tf_batches(order, tf_batch)

    import keras

    to_inputs = preprocess_fn(preprocess)
    classes = np.eye(num_classes, dtype=np.float32)

    def numpy_batch(indices):
        x = images[indices].astype(np.float32)
        for layer in augmentation:
            x = layer(x, training=True)
        if augmentation:
            x = keras.ops.convert_to_numpy(x)
        return to_inputs(x), classes[labels[indices]]

    return batches.Batches(order, numpy_batch)


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp")


def image_files(folder: Path, pattern: str = "*") -> list[Path]:
    """Image files in ``folder``, sorted by name, skipping hidden and non-image files."""
    return sorted(
        path for path in folder.glob(pattern)
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".")
    )
