"""Reading saved models (``.keras``): every load of the zoo goes through :func:`load_model`.

Keras rebuilds a custom class from a ``.keras`` file only if the class is registered, and a
class registers when its module is imported. A process that never imported ``zoo.layers``
(``dli-zoo export`` of a GAN run) could not read the discriminator, built with
``zoo.layers.Conv2D``, LeNet, built with ``zoo.layers.Dropout``, nor the IMDb LSTMs, built with
``zoo.layers.LSTM`` (plain ``keras.models.load_model`` reads them only after
``import zoo.layers``). The file names each class's module (``zoo.layers``) and registered name
(``zoo>Conv2D``), as every such file has since the classes were registered; :func:`load_model`
imports the modules of the zoo's own classes that the file names and hands Keras those classes,
as Keras itself does for its own modules. So it names no model module, and sits below them all
(``docs/layout.md``); only modules of the ``zoo`` package are ever imported. Imports Keras only
when called.
"""

from __future__ import annotations

import importlib
import json
import zipfile

PACKAGE = "zoo"


def _configs(node):
    """Every dict in a saved model's configuration, at any depth."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _configs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _configs(value)


def _public_zoo_module(module: str) -> bool:
    """A module of the zoo's package that may define a saved class: dotted names, none private or
    a ``__main__`` (importing one of those would run a command)."""
    parts = module.split(".")
    return parts[0] == PACKAGE and all(part.isidentifier() and not part.startswith("_") for part in parts)


def zoo_classes(path) -> dict:
    """The zoo's own classes the ``.keras`` file at ``path`` names, by their registered names
    (``{"zoo>Conv2D": zoo.layers.Conv2D}``); {} for a file that is no ``.keras`` archive (Keras
    then says why it cannot read it)."""
    import keras

    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return {}
    found = {}
    for item in _configs(config):
        module, name, registered = item.get("module"), item.get("class_name"), item.get("registered_name")
        if not (isinstance(module, str) and _public_zoo_module(module)
                and isinstance(name, str) and isinstance(registered, str)):
            continue
        try:
            candidate = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue  # a module the zoo no longer has: Keras names the class it cannot find
        if isinstance(candidate, type) and keras.saving.get_registered_name(candidate) == registered:
            found[registered] = candidate
    return found


def load_model(path, **kwargs):
    """``keras.models.load_model(path, **kwargs)``, with the zoo's classes that the file names known."""
    import keras

    custom_objects = {**zoo_classes(path), **(kwargs.pop("custom_objects", None) or {})}
    return keras.models.load_model(path, custom_objects=custom_objects, **kwargs)
