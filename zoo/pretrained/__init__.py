"""Trained weights by name, each with a model card: ``build_lenet(weights="mnist")``.

    zoo.pretrained.available()                  # what loads: bundled, downloadable, or the user's own exports
    zoo.pretrained.registered()                 # the whole registry, with entries not published yet
    zoo.pretrained.names("lenet")               # the names one model can load
    zoo.pretrained.card("lenet", "mnist")       # how the weights were made and what they measure
    zoo.pretrained.resolve("lenet", "mnist")    # the local file, its SHA-256 checked

An entry is one model of the zoo trained on one dataset: the model's zoo name, a short name
(usually the dataset's), the file, its SHA-256 and size, an address to download it from (or
None), whether the package bundles it, and a model card. An entry with neither a bundled
file nor an address is not published: only its card is known, and a user's own export may
take its name.

The package lives in the folder of the files it bundles and of their ``registry.json``:
:mod:`~zoo.pretrained.lookup` (entries, and where each one's file is found),
:mod:`~zoo.pretrained.download` (the addresses files may come from, and the checked download),
:mod:`~zoo.pretrained.exporting` (a finished run made into named weights and its card),
:mod:`~zoo.pretrained.checks` (each card's ``verify`` block: how it is re-measured),
:mod:`~zoo.pretrained.measures` (the metrics that re-measure it), :mod:`~zoo.pretrained.verify`
(``python -m zoo.pretrained verify``: every card re-measured, its records), and
:mod:`~zoo.pretrained.table` and :mod:`~zoo.pretrained.results` (``docs/pretrained.md`` and the
results tables of the README and ``docs/results.md``: ``python -m zoo.pretrained docs``).

Importing it loads neither Keras nor TensorFlow; a download or an export does.
"""

from zoo.pretrained.exporting import default_name, export, make_card, portable
from zoo.pretrained.lookup import (
    CACHE_SUBDIR,
    EXPORT_COMMAND,
    FORMAT,
    MIRROR_VARIABLE,
    REGISTRY_FILE,
    WEIGHTS_DIR_VARIABLE,
    Weights,
    available,
    cache_dir,
    card,
    check_address,
    folder_sha256,
    get,
    keras_home,
    load_word_vectors,
    names,
    registered,
    registry_path,
    resolve,
    sha256_of,
    trained_settings,
    training_time,
    weights_dir,
)
from zoo.pretrained.table import REGENERATE, TABLE_PATH, markdown_table, pretrained_document
from zoo.weights_names import NAME_PATTERN, is_weights_name

__all__ = [
    "CACHE_SUBDIR", "EXPORT_COMMAND", "FORMAT", "MIRROR_VARIABLE", "NAME_PATTERN", "REGENERATE", "REGISTRY_FILE",
    "TABLE_PATH", "WEIGHTS_DIR_VARIABLE", "Weights", "available", "cache_dir", "card", "check_address",
    "default_name", "export", "folder_sha256", "get", "is_weights_name", "keras_home", "load_word_vectors",
    "make_card", "markdown_table", "names", "portable", "pretrained_document", "registered", "registry_path",
    "resolve", "sha256_of", "trained_settings", "training_time", "weights_dir",
]
