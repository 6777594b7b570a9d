"""Argument checks and the keras.applications contract, shared by every builder."""

from __future__ import annotations

from pathlib import Path

import keras
from keras import layers

POOLINGS = (None, "avg", "max")


def check_positive_int(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name}={value!r} is invalid: expected an integer >= {minimum}")
    return value


def check_rate(name: str, value) -> float:
    """A dropout-style rate in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
        raise ValueError(f"{name}={value!r} is invalid: expected a rate in [0, 1)")
    return float(value)


def check_choice(name: str, value, allowed) -> object:
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is invalid: expected one of {list(allowed)}")
    return value


def check_input_shape(input_shape, channels=None, min_size: int = 1, model: str = "this model") -> tuple:
    """An image shape (height, width, channels) large enough for the model's strides and pools."""
    shape = tuple(input_shape) if input_shape is not None else ()
    if len(shape) != 3 or not all(isinstance(d, int) and d > 0 for d in shape):
        raise ValueError(f"input_shape={input_shape!r} is invalid: expected (height, width, channels)")
    if channels is not None and shape[2] != channels:
        raise ValueError(f"input_shape={input_shape!r} is invalid: {model} expects {channels} channel(s)")
    if min(shape[:2]) < min_size:
        raise ValueError(
            f"input_shape={input_shape!r} is too small for {model}: "
            f"height and width must be at least {min_size}"
        )
    return shape


def check_top(include_top: bool, pooling, num_classes) -> None:
    check_choice("pooling", pooling, POOLINGS)
    if include_top:
        check_positive_int("num_classes", num_classes)


def global_pool(x, pooling, name: str = "pool"):
    """Headless models end in a 4-D feature map, or a vector when pooling is asked for."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=f"global_avg_{name}")(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=f"global_max_{name}")(x)
    return x


def classifier(units: int, activation: str = "softmax", name: str = "predictions"):
    """The output layer, kept in float32 under mixed precision so the softmax is stable."""
    return layers.Dense(units, activation=activation, dtype="float32", name=name)


def load_weights(model: keras.Model, weights) -> keras.Model:
    """Load ``weights`` (None, a ``.weights.h5`` or a ``.keras`` file) into ``model``.

    A full model's weights load into its headless twin: ``.weights.h5`` files are matched
    layer by layer in order, which the headless model's prefix shares; ``.keras`` files are
    matched by layer name.
    """
    if weights is None:
        return model
    path = Path(weights)
    if not path.is_file():
        raise ValueError(f"weights={str(weights)!r} is invalid: expected None or an existing .weights.h5/.keras file")
    if path.name.endswith(".keras"):
        source = keras.models.load_model(path, compile=False)
        by_name = {layer.name: layer for layer in source.layers}
        for layer in model.layers:
            if layer.weights and layer.name in by_name:
                layer.set_weights(by_name[layer.name].get_weights())
    elif path.name.endswith(".weights.h5"):
        model.load_weights(path)
    else:
        raise ValueError(f"weights={str(weights)!r} is invalid: expected a .weights.h5 or .keras file")
    return model
