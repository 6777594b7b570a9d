"""Chapter 10, transfer learning: VGG19 pre-trained on ImageNet, with a new head.

The book loads Keras' VGG19 without its classifier, freezes every layer of it, and trains
only a small head (Flatten, Dropout, softmax) on "hot dog / not hot dog" photos. Beyond
the book, :func:`unfreeze_top_blocks` opens the last convolutional block(s) for a second,
low-learning-rate phase, as the Keras transfer-learning guide recommends.

ImageNet weights come from Keras' cache (``$KERAS_HOME/models``, default ``~/.keras/models``)
or a download; offline with an empty cache the error says which file to put where.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
from keras import layers

from zoo.common import check_input_shape, check_rate, check_top, classifier, global_pool, load_weights
from zoo.datasets import DataSourceError, offline
from zoo.errors import one_line
from zoo.weights_names import is_weights_name

# the file keras.applications.VGG19(include_top=False, weights="imagenet") downloads
VGG19_NOTOP = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
VGG19_NOTOP_URL = f"https://storage.googleapis.com/tensorflow/keras-applications/vgg19/{VGG19_NOTOP}"
VGG19_NOTOP_MD5 = "253f8cb515780f3b799900260a226db6"
VGG19_BLOCKS = 5


def keras_models_dir() -> Path:
    """Where Keras caches application weights, read now (not at import) so KERAS_HOME can change."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser() / "models"


def imagenet_weights() -> Path:
    """The VGG19 ImageNet weights without the top: the cached file, else a download.

    A file already in the cache is used as it is, without the checksum (Keras' own loader
    would re-download a file whose checksum differs, which offline is a failure).
    """
    cached = keras_models_dir() / VGG19_NOTOP
    if cached.is_file():
        return cached
    hint = f"put {VGG19_NOTOP} (from {VGG19_NOTOP_URL}) into {cached.parent}, or use --base-weights none"
    if offline():
        raise DataSourceError(f"VGG19 ImageNet weights are not cached and ZOO_OFFLINE is set: {hint}")
    try:
        path = keras.utils.get_file(VGG19_NOTOP, VGG19_NOTOP_URL, cache_subdir="models",
                                    file_hash=VGG19_NOTOP_MD5, cache_dir=str(cached.parent.parent))
    except Exception as error:  # no network, HTTP error or bad checksum: one line for the user
        reason = one_line(error, first_line=True)
        raise DataSourceError(f"cannot download the VGG19 ImageNet weights ({reason}): {hint}") from None
    return Path(path)


def _is_zoo_weights(weights) -> bool:
    return (isinstance(weights, (str, os.PathLike)) and str(weights).endswith((".keras", ".weights.h5"))) or (
        weights != "imagenet" and is_weights_name(weights))  # named weights of the whole model


def build_vgg19_transfer(
    input_shape=(224, 224, 3),
    num_classes=2,
    include_top=True,
    pooling=None,
    weights="imagenet",
    freeze=True,
    dropout=0.5,
    name="vgg19_transfer",
):
    """The book's VGG19 transfer-learning model for "hot dog / not hot dog" (chapter 10;
    Simonyan and Zisserman, 2014).

    Keras' ``keras.applications.VGG19`` convolutional base (a nested model named
    ``vgg19``, 20,024,384 parameters), frozen, then Flatten, Dropout and a softmax layer:
    50,178 trainable parameters for two classes at 224x224.

    Args:
        input_shape: (height, width, 3); at least 32x32, VGG19's five 2x2 pools.
        num_classes: output classes when ``include_top``.
        include_top: keep the new head; without it the model is VGG19's base (with
            ``pooling``), a feature extractor.
        pooling: with ``include_top=False``, None (a 4-D feature map), "avg" or "max"
            (a vector of 512 features).
        weights: "imagenet" (the base's ImageNet weights, from Keras' cache or a
            download), None (random), a ``.weights.h5``/``.keras`` file saved from this
            model (loaded into the whole model), or another ``.h5`` file in Keras' VGG19
            "notop" format (loaded into the base).
        freeze: freeze every layer of the base, as the book does.
        dropout: dropout rate before the output layer.
        name: the model's name.
    """
    check_top(include_top, pooling, num_classes)
    check_rate("dropout", dropout)
    input_shape = check_input_shape(input_shape, channels=3, min_size=32, model="VGG19")
    if weights == "imagenet":
        base_weights = str(imagenet_weights())
    elif weights is None or _is_zoo_weights(weights):
        base_weights = None
    elif Path(weights).is_file():
        base_weights = str(weights)
    else:
        raise ValueError(f"weights={weights!r} is invalid: expected 'imagenet', None or an existing weights file")

    # the pre-trained convolutional base, without VGG19's ImageNet classifier:
    base = keras.applications.VGG19(include_top=False, weights=None, input_shape=input_shape, pooling=None)
    if base_weights is not None:
        try:
            base.load_weights(base_weights)
        except Exception as error:  # a truncated download or a file of another model
            reason = one_line(error, first_line=True)
            if weights != "imagenet":  # the user's own file: deleting it would not help
                raise ValueError(f"weights={str(weights)!r}: cannot read {base_weights} "
                                 f"as VGG19 base weights ({reason})") from None
            raise DataSourceError(f"cannot load VGG19 weights from {base_weights} ({reason}); "
                                  f"delete it to download it again, or use --base-weights none") from None
    base.trainable = not freeze

    inputs = keras.Input(shape=input_shape, name="image")
    # training=False keeps the base in inference mode even when it is unfrozen for fine-tuning
    x = base(inputs, training=False)
    if include_top:
        # the new head:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = classifier(num_classes)(x)
    else:
        x = global_pool(x, pooling)
    model = keras.Model(inputs, x, name=name)
    return load_weights(model, weights, "vgg19_transfer") if _is_zoo_weights(weights) else model


def base_of(model: keras.Model) -> keras.Model:
    """The nested VGG19 base of a :func:`build_vgg19_transfer` model."""
    try:
        return model.get_layer("vgg19")
    except ValueError:
        raise ValueError(f"model {model.name!r} has no nested 'vgg19' base; build it with build_vgg19_transfer") from None


def unfreeze_top_blocks(model: keras.Model, n_blocks: int) -> list[str]:
    """Make the last ``n_blocks`` of VGG19's five conv blocks trainable, keep the rest frozen.

    Returns the names of the base's layers that are now trainable. Compile the model again
    afterwards (with a low learning rate) for the change to take effect.
    """
    if isinstance(n_blocks, bool) or not isinstance(n_blocks, int) or not 0 <= n_blocks <= VGG19_BLOCKS:
        raise ValueError(f"n_blocks={n_blocks!r} is invalid: expected an integer from 0 to {VGG19_BLOCKS}")
    base = base_of(model)
    first_open = VGG19_BLOCKS - n_blocks + 1  # blocks first_open..5 train
    base.trainable = n_blocks > 0
    opened = []
    for layer in base.layers:
        block = int(layer.name[5]) if layer.name.startswith("block") else 0
        layer.trainable = n_blocks > 0 and block >= first_open
        if layer.trainable and layer.weights:
            opened.append(layer.name)
    return opened
