"""Argument checks and the keras.applications contract, shared by every builder."""

from __future__ import annotations

import os
import re
import warnings
import zipfile
from pathlib import Path

import h5py
import keras
from keras import layers

from zoo import saving
from zoo.errors import one_line
from zoo.weights_names import is_weights_name

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


def load_weights(model: keras.Model, weights, zoo_name: str | None = None) -> keras.Model:
    """Load ``weights`` (None, a weights name, a ``.weights.h5`` or a ``.keras`` file) into every
    layer of ``model``.

    A name (``"mnist"``) is resolved by :func:`zoo.pretrained.resolve` for ``zoo_name`` (the zoo's
    name of the full model, which a builder passes since ``model.name`` is the user's to choose),
    else ``model.name``. A full model's file also loads into its headless twin
    (``include_top=False``), whose layers are a prefix of the full model's: ``.weights.h5`` files
    are matched layer by layer in order, as Keras does, and ``.keras`` files by layer name. A
    file that leaves any layer of ``model`` without weights, or whose shapes differ, is a
    one-line ``ValueError`` naming the layers; so is a file that cannot be read.
    """
    if weights is None:
        return model
    if not isinstance(weights, (str, os.PathLike)):
        raise ValueError(f"weights={weights!r} is invalid: expected None, a weights name or a .weights.h5/.keras file")
    label = f"weights={str(weights)!r}"
    if is_weights_name(weights):
        from zoo import pretrained  # the registry is read only when a name is asked for

        try:
            path = pretrained.resolve(zoo_name or model.name, weights)
        except ValueError as error:
            raise ValueError(f"{label}: {error}") from None
        label = f"{label} ({path})"
    else:
        path = Path(weights)
    if not path.name.endswith((".keras", ".weights.h5")):
        raise ValueError(f"{label} is invalid: expected None or a .weights.h5/.keras file")
    if not path.is_file():
        raise ValueError(f"{label} is invalid: no such file (expected None or an existing .weights.h5/.keras file)")
    if path.name.endswith(".keras"):
        _load_keras_file(model, path, label)
    else:
        _load_weights_file(model, path, label)
    return model


def _cannot_read(label: str, path: Path, reason) -> ValueError:
    return ValueError(f"{label}: cannot read {path} ({reason})")


def _does_not_fit(label: str, model: keras.Model, problems: list[str]) -> ValueError:
    shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
    return ValueError(f"{label} does not fit model {model.name!r}: {shown}")


def _shapes(layer) -> list[tuple]:
    return [tuple(weight.shape) for weight in layer.weights]


def _shape_problem(layer_label: str, file_shapes: list[tuple], model_shapes: list[tuple]) -> str | None:
    """What differs between a layer's weights in the file and in the model, or None."""
    if sorted(file_shapes) == sorted(model_shapes):
        return None  # equal up to order (a Bidirectional layer stores its backward half first)
    if len(file_shapes) != len(model_shapes):
        return f"layer {layer_label}: file has {len(file_shapes)} weights, model needs {len(model_shapes)}"
    file_shape, model_shape = next(pair for pair in zip(file_shapes, model_shapes) if pair[0] != pair[1])
    return f"layer {layer_label}: file has {file_shape}, model needs {model_shape}"


def _load_keras_file(model: keras.Model, path: Path, label: str) -> None:
    """Match a saved model's layers by name, and check every shape before assigning any."""
    try:
        with zipfile.ZipFile(path) as archive:
            archive.getinfo("model.weights.h5")
    except (zipfile.BadZipFile, OSError) as error:  # truncated, or not a .keras archive at all
        raise _cannot_read(label, path, one_line(error, first_line=True)) from None
    except KeyError:
        raise _cannot_read(label, path, "no model.weights.h5 in the archive") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras warns about each layer it skips; the error says it once
            source = saving.load_model(path, compile=False)
    except Exception as error:  # a corrupt member or a model Keras cannot rebuild
        raise _cannot_read(label, path, one_line(error, first_line=True)) from None
    by_name = {layer.name: layer for layer in source.layers}
    pairs, missing, problems = [], [], []
    for layer in model.layers:
        if not layer.weights:
            continue
        if layer.name not in by_name:
            missing.append(layer.name)
            continue
        problem = _shape_problem(layer.name, _shapes(by_name[layer.name]), _shapes(layer))
        if problem:
            problems.append(problem)
        pairs.append((layer, by_name[layer.name]))
    if missing:
        problems.insert(0, f"the file has no layer{'s' if len(missing) > 1 else ''} named {', '.join(missing)}")
    if problems:
        raise _does_not_fit(label, model, problems)
    for layer, saved in pairs:
        layer.set_weights(saved.get_weights())


def _natural_key(text: str) -> list:
    """Sort "vars/10" after "vars/2", as Keras numbered them."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _saved_layers(path: Path) -> dict[str, list[tuple]]:
    """A ``.weights.h5`` file's top-level layers: Keras' path for each ("layers/conv2d_1")
    and the shapes of the weights under it, in order."""
    with h5py.File(path, "r") as file:
        if not isinstance(file.get("layers"), h5py.Group):
            raise ValueError("no Keras layers in it")
        saved = {}
        for key, group in file["layers"].items():
            datasets = []
            group.visititems(lambda name, item: datasets.append((name, item.shape)) if isinstance(item, h5py.Dataset) else None)
            saved[f"layers/{key}"] = [tuple(shape) for _, shape in sorted(datasets, key=lambda entry: _natural_key(entry[0]))]
        return saved


def _keras_path(layer, used: dict[str, int]) -> str:
    """The path under which Keras saves ``layer`` in a ``.weights.h5`` file: its class in
    snake case, numbered by how many layers of that class come before it."""
    kind = re.sub(r"\W+", "", type(layer).__name__)
    kind = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", kind)
    kind = re.sub("([a-z])([A-Z])", r"\1_\2", kind).lower()
    count = used.get(kind, -1) + 1
    used[kind] = count
    return f"layers/{kind}" + (f"_{count}" if count else "")


def _load_weights_file(model: keras.Model, path: Path, label: str) -> None:
    """Keras loads the file (layers matched in order); its errors are rephrased to one line."""
    try:
        saved = _saved_layers(path)
    except (OSError, ValueError) as error:  # truncated, not HDF5, or HDF5 without Keras weights
        raise _cannot_read(label, path, one_line(error, first_line=True)) from None
    used, missing, problems = {}, [], []
    for layer in model.layers:
        keras_path = _keras_path(layer, used)
        if not layer.weights:
            continue
        layer_label = f"{layer.name} ({keras_path})"
        if not saved.get(keras_path):
            missing.append(layer_label)
            continue
        problem = _shape_problem(layer_label, saved[keras_path], _shapes(layer))
        if problem:
            problems.append(problem)
    if missing:
        problems.insert(0, f"no weights in the file for layer{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    if problems:
        raise _does_not_fit(label, model, problems)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras warns about each layer it skips; the error says it once
            model.load_weights(path)
    except OSError as error:  # the layout read, but not the data
        raise _cannot_read(label, path, one_line(error, first_line=True)) from None
    except Exception as error:  # a mismatch the check above does not see (inside a nested layer)
        raise _does_not_fit(label, model, [_keras_reason(error)]) from None


def _keras_reason(error: Exception) -> str:
    """The one line that matters in Keras' multi-line loading error: its example error,
    without the variable's values that follow it."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    reason = lines[1] if len(lines) > 1 and lines[0].startswith("A total of") else (lines[0] if lines else type(error).__name__)
    return reason.split(" Target variable:")[0]
