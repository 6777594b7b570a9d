"""Checks shared by the loaders: what they read must be real pixels, class labels or text.

Every check raises :class:`DataSourceError` with one line naming the file (or the file and
its array) and what is wrong, so bad data stops a run before training starts instead of
training on it or failing in TensorFlow later.
"""

from __future__ import annotations

import re

import numpy as np

from zoo.datasets._sources import DataSourceError

# Control characters, what binary data decoded as text is full of and real text nearly never
# holds. Real UTF-8 text does hold a few: whitespace (tab to carriage return), the
# separators U+001C-U+001F and C1 characters such as U+0085 (aclImdb has some), so those are
# not counted in UTF-8; in a single-byte fallback such as Latin-1 every byte is a character
# and the C1 range counts too. Binary data decoded as Latin-1 has about one in four.
_CONTROL_IN_UTF8 = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
_CONTROL_IN_FALLBACK = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
MAX_CONTROL_FRACTION = 0.1


def pixels_uint8(images: np.ndarray, where: str) -> np.ndarray:
    """``images`` as uint8 in 0..255, the scale every loader's preprocessing divides by 255.

    The one rule for what pixel arrays may hold: integers must lie in 0..255; floats in
    [0, 1] are taken as already scaled (and multiplied back by 255, so they are not divided
    twice); floats in [0, 255] with a maximum above 1 are taken as 0..255. Anything else
    (negative or larger values, NaN, booleans, strings) is an error naming ``where``. A float
    image that really is 0..255 but never brighter than 1 cannot be told apart from a scaled
    one; such an image is nearly black either way.
    """
    images = np.asarray(images)
    kind = images.dtype.kind
    if kind not in "uif":
        raise DataSourceError(f"{where} holds {images.dtype} values: expected pixels as integers in 0..255 "
                              f"or floats in [0, 1]")
    if images.size == 0:  # emptiness is each loader's own error, with its own words
        return images.astype(np.uint8)
    if kind == "f" and not np.isfinite(images).all():
        raise DataSourceError(f"{where} holds NaN or infinite pixel values: expected integers in 0..255 "
                              f"or floats in [0, 1]")
    low, high = images.min(), images.max()
    if low < 0 or high > 255:
        raise DataSourceError(f"{where} holds {images.dtype} values outside 0..255 (found {low:g}..{high:g}): "
                              f"expected integers in 0..255 or floats in [0, 1]")
    if kind in "ui":
        return images.astype(np.uint8)
    scale = 255.0 if high <= 1.0 else 1.0
    return np.rint(images * scale).astype(np.uint8)


def class_labels(labels: np.ndarray, num_classes: int, where: str) -> np.ndarray:
    """``labels`` as int64 class indices, checked to be whole numbers in ``0..num_classes - 1``."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise DataSourceError(f"{where} has shape {labels.shape}: expected one class index per example "
                              f"(0..{num_classes - 1}), not one-hot rows")
    if labels.dtype.kind not in "uif" or (labels.dtype.kind == "f" and not np.isfinite(labels).all()):
        raise DataSourceError(f"{where} holds {labels.dtype} labels: expected integers 0..{num_classes - 1}")
    if labels.size == 0:
        return labels.astype(np.int64)
    if labels.dtype.kind == "f" and not np.array_equal(labels, np.round(labels)):
        raise DataSourceError(f"{where} holds fractional labels: expected integers 0..{num_classes - 1}")
    low, high = labels.min(), labels.max()
    if low < 0 or high >= num_classes:
        raise DataSourceError(f"{where} holds labels {low:g}..{high:g}: expected 0..{num_classes - 1}")
    return labels.astype(np.int64)


def decode_text(raw: bytes, where: str, encodings=("utf-8",)) -> str:
    """``raw`` as text, or one line saying why ``where`` is not a text file.

    A file holding NUL bytes, not decodable with any of ``encodings`` (strictly), made of
    more than 10% control characters, or empty or only whitespace is an error. A UTF-8
    byte-order mark is dropped.
    """
    if b"\x00" in raw:
        raise DataSourceError(f"{where} is not a text file: it holds NUL bytes")
    failures = []
    for encoding in encodings:
        utf8 = encoding.lower() in ("utf-8", "utf8")
        try:
            text = raw.decode("utf-8-sig" if utf8 else encoding)
            break
        except UnicodeDecodeError as error:
            failures.append(error)
    else:
        first = failures[0]
        raise DataSourceError(f"{where} is not {encodings[0].upper()} text (byte 0x{raw[first.start]:02x} at offset "
                              f"{first.start}); if it is text, save it as {encodings[0].upper()}")
    if not text.strip():
        raise DataSourceError(f"{where} holds no words: it is empty or only whitespace")
    control = len((_CONTROL_IN_UTF8 if utf8 else _CONTROL_IN_FALLBACK).findall(text))
    if control > MAX_CONTROL_FRACTION * len(text):
        raise DataSourceError(f"{where} is not a text file: {control} of its {len(text)} characters are "
                              f"control characters")
    return text
