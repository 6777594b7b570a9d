"""Trained weights by name: the registry and the user's own exports, and each entry's file.

Entries come from the package's registry (``zoo/pretrained/registry.json``, the files bundled
beside it or downloadable) and from the cards ``scripts/export_weights.py`` writes beside a
user's exported file (``<model>.<name>.json`` in ``$ZOO_WEIGHTS_DIR`` or the Keras cache).
:func:`available` lists what can be had: entries the package bundles or that have a download
address, and the user's exports whose files are here. A registered entry with neither is only
a card (the file was too large to bundle and is not uploaded yet): a user's own export may take
its name, and then loads by it.

A file is looked for in ``$ZOO_WEIGHTS_DIR``, then the Keras cache (``$KERAS_HOME/models/dli-zoo``;
``KERAS_HOME`` defaults to ``~/.keras``), then the package; failing those it is downloaded into
the cache from ``$ZOO_WEIGHTS_URL/<file>`` or the entry's address (never under ``ZOO_OFFLINE=1``).
Its SHA-256 is checked wherever it comes from.
"""

from __future__ import annotations

import copy
import logging
import os
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from zoo.datasets import offline
from zoo.errors import one_line
from zoo.files import folder_sha256, read_json, sha256_of  # noqa: F401  (part of this module's interface)
from zoo.pretrained.download import check_address, fetch
from zoo.weights_names import NAME_PATTERN, is_weights_name

log = logging.getLogger("zoo")

PRETRAINED_DIR = Path(__file__).resolve().parent  # read at each call: tests point it elsewhere
REGISTRY_FILE = "registry.json"
FORMAT = 1
CACHE_SUBDIR = "models/dli-zoo"
WEIGHTS_DIR_VARIABLE = "ZOO_WEIGHTS_DIR"
MIRROR_VARIABLE = "ZOO_WEIGHTS_URL"
EXPORT_COMMAND = "dli-zoo export"  # installed with the package (scripts/export_weights.py is the same command)

SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
REGISTERED = "registry"  # where a registry entry was found, as opposed to a user's card


# ----------------------------------------------------------------------------- entries

@dataclass(frozen=True)
class Weights:
    """One set of trained weights: what ``build_<model>(weights=name)`` loads."""

    model: str  # the zoo's model name (``zoo.get(model)``)
    name: str
    file: str
    sha256: str
    size: int
    url: str | None = None
    bundled: bool = False
    card: dict = field(default_factory=dict, repr=False)
    found_in: str = REGISTERED  # or the path of the user's card

    @property
    def registered(self) -> bool:
        return self.found_in == REGISTERED

    @property
    def published(self) -> bool:
        """Whether anyone can have the file: the package bundles it or it has a download address.
        A user's own export is theirs to have; a registered entry with neither is only a card."""
        return self.bundled or bool(self.url) or not self.registered

    @property
    def meta(self) -> dict:
        """The model card (torchvision's name for it)."""
        return self.card

    def resolve(self) -> Path:
        """The local file, checked against the SHA-256 (downloaded first if need be)."""
        return _resolve(self)

    def as_dict(self) -> dict:
        entry = asdict(self)
        entry.pop("found_in")
        return entry

    def __str__(self) -> str:
        return f"{self.model}/{self.name}"


def _entry(data, source: str) -> Weights:
    """An entry read from JSON, checked so a bad one is one line naming where it came from."""
    if not isinstance(data, dict):
        raise ValueError(f"{source}: an entry is not a JSON object")
    problems = []
    for key in ("model", "name"):
        if not isinstance(data.get(key), str) or not NAME_PATTERN.fullmatch(data[key]):
            problems.append(f"{key} {data.get(key)!r} is not lower-case letters, digits and _")
    file = data.get("file")
    if not isinstance(file, str) or not file or file != Path(file).name or file.startswith("."):
        problems.append(f"file {file!r} is not a plain file name")
    if not isinstance(data.get("sha256"), str) or not SHA256_PATTERN.fullmatch(data["sha256"]):
        problems.append("sha256 is not 64 lower-case hex digits")
    size = data.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        problems.append(f"size {size!r} is not a byte count")
    if data.get("url") is not None:
        try:
            check_address(data["url"], "url")
        except ValueError as error:
            problems.append(str(error))
    if not isinstance(data.get("card", {}), dict):
        problems.append("card is not a JSON object")
    if problems:
        raise ValueError(f"{source}: {'; '.join(problems)}")
    return Weights(data["model"], data["name"], file, data["sha256"], size, data.get("url"),
                   bool(data.get("bundled", False)), dict(data.get("card") or {}), source)


def registry_path() -> Path:
    return PRETRAINED_DIR / REGISTRY_FILE


def registered() -> list[Weights]:
    """The package's registry; a damaged one is an error, as it ships with the code."""
    path = registry_path()
    if not path.is_file():
        return []
    data = read_json(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("weights"), list):
        raise ValueError(f"{path} is not a weights registry of this version of the zoo")
    return [replace(_entry(item, f"{path} (entry {index + 1})"), found_in=REGISTERED)
            for index, item in enumerate(data["weights"])]


def keras_home() -> Path:
    """Keras' folder, read now (not at import) so KERAS_HOME can change."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser()


def cache_dir() -> Path:
    """Where downloads and (by default) exports go: ``$KERAS_HOME/models/dli-zoo``."""
    return keras_home() / CACHE_SUBDIR


def weights_dir() -> Path | None:
    """``$ZOO_WEIGHTS_DIR``, or None; set but not a folder is an error, not a silent skip."""
    value = os.environ.get(WEIGHTS_DIR_VARIABLE)
    if not value:
        return None
    folder = Path(value).expanduser()
    if not folder.is_dir():
        raise ValueError(f"{WEIGHTS_DIR_VARIABLE}={value} is not a folder")
    return folder


def _search_folders() -> list[Path]:
    """Where files (and users' cards) are looked for, in order, before the package's own folder."""
    return [folder for folder in (weights_dir(), cache_dir()) if folder is not None]


def _card_files() -> list[Path]:
    found = []
    for folder in _search_folders():
        if folder.is_dir():
            found += sorted(path for path in folder.glob("*.*.json") if not path.name.startswith("."))
    return found


def _user_entries() -> tuple[list[Weights], dict[tuple[str, str], str]]:
    """Cards that exports wrote, and those that cannot be read (by the model and name their file
    names), so asking for one of those is an error rather than "unknown"."""
    entries, damaged, seen = [], {}, set()
    for path in _card_files():
        model, _, name = path.name[: -len(".json")].partition(".")
        try:
            entry = _entry(read_json(path), str(path))
            if (entry.model, entry.name) != (model, name):
                raise ValueError(f"{path} describes {entry.model}/{entry.name}, not what its name says")
        except ValueError as error:
            damaged.setdefault((model, name), str(error))
            continue
        if (entry.model, entry.name) not in seen:  # ZOO_WEIGHTS_DIR's card before the cache's
            seen.add((entry.model, entry.name))
            entries.append(entry)
    return entries, damaged


def available(model: str | None = None) -> list[Weights]:
    """The entries (or ``model``'s) whose file can be had: the registry's bundled or downloadable
    ones first, then the user's exports whose files are here (one may take the name of a
    registered entry that is not published). :func:`registered` lists the whole registry."""
    published = [entry for entry in registered() if entry.published]
    taken = {(entry.model, entry.name) for entry in published}
    users, damaged = _user_entries()
    for (card_model, card_name), reason in damaged.items():
        if model in (None, card_model):
            log.warning(f"skipping a weights card: {reason}")
    entries = published + [entry for entry in users
                           if (entry.model, entry.name) not in taken and _local_file(entry) is not None]
    return [entry for entry in entries if model is None or entry.model == model]


def names(model: str) -> list[str]:
    """The weights names ``model`` can load (those of :func:`available`)."""
    return [entry.name for entry in available(model)]


def get(model: str, name: str) -> Weights:
    """The entry ``model``/``name``: the registry's if published, else the user's export of
    that name, else the registry's card; an unknown name is a ``ValueError`` listing those that exist."""
    from_registry = [entry for entry in registered() if entry.model == model]
    unpublished = None
    for entry in from_registry:
        if entry.name == name:
            if entry.published:
                return entry
            unpublished = entry
    users, damaged = _user_entries()
    for entry in users:
        if (entry.model, entry.name) == (model, name):
            return entry
    if unpublished is not None:
        return unpublished
    if (model, name) in damaged:
        raise ValueError(f"{damaged[(model, name)]}; export the weights again")
    known = sorted({entry.name for entry in from_registry} | {entry.name for entry in users if entry.model == model})
    if known:
        raise ValueError(f"{model} has no weights named {name!r}; the names that exist for {model}: {', '.join(known)}")
    raise ValueError(f"{model} has no weights named {name!r}, nor any named weights yet: train it and run "
                     f"`{EXPORT_COMMAND} RUN_DIR --name {name}`, or pass a .weights.h5/.keras file")


def card(model: str, name: str) -> dict:
    """The model card of ``model``/``name``, with the entry's file, checksum and address."""
    entry = get(model, name)
    return {**copy.deepcopy(entry.card), "model": entry.model, "name": entry.name, "file": entry.file,
            "sha256": entry.sha256, "size": entry.size, "url": entry.url, "bundled": entry.bundled}


# ----------------------------------------------------------------------------- resolution

def _verified(path: Path, entry: Weights) -> Path:
    actual = sha256_of(path)
    if actual != entry.sha256:
        raise ValueError(f"{path} is not the file of {entry.model} weights {entry.name!r}: its SHA-256 is {actual}, "
                         f"expected {entry.sha256}; delete or replace it")
    return path


def _local_file(entry: Weights) -> Path | None:
    """The entry's file in ``$ZOO_WEIGHTS_DIR``, the Keras cache or the package, unchecked."""
    for folder in [*_search_folders(), PRETRAINED_DIR]:
        path = folder / entry.file
        if path.is_file():
            return path
    return None


def _resolve(entry: Weights) -> Path:
    path = _local_file(entry)
    if path is not None:
        return _verified(path, entry)
    origins = []
    mirror = os.environ.get(MIRROR_VARIABLE)
    if mirror:
        origins.append(f"{check_address(mirror, MIRROR_VARIABLE).rstrip('/')}/{entry.file}")
    if entry.url and entry.url not in origins:
        origins.append(entry.url)
    if not origins:
        no_address = "they are registered but not published (no download address)," if entry.registered \
            else "it has no download address"
        raise _not_found(entry, f"{no_address} and {MIRROR_VARIABLE} is not set")
    if offline():
        raise _not_found(entry, "ZOO_OFFLINE is set, so it is not downloaded")
    failures = []
    for origin in origins:
        try:
            return fetch(origin, entry.file, entry.sha256, keras_home(), CACHE_SUBDIR)
        except ValueError as error:
            failures.append(str(error))
    raise _not_found(entry, "; ".join(failures))


def export_command(entry: Weights, name: str | None = None) -> str:
    """The command that exports a run of ``entry``'s training script under ``name`` (default: its own)."""
    # a run of several networks (the GAN's) exports the one asked for
    network = f" --network {entry.model}" if entry.card.get("trained_as") not in (None, entry.model) else ""
    return f"{EXPORT_COMMAND} RUN_DIR --name {name or entry.name}{network}"


def _not_found(entry: Weights, reason: str) -> ValueError:
    """One line: where the file was looked for, why it was not fetched, and how to make weights like it.
    Weights trained anew differ from a registered file, so they take a name of their own."""
    places = [f"{WEIGHTS_DIR_VARIABLE} ({weights_dir() or 'not set'})", str(cache_dir()), "the package"]
    command = entry.card.get("command") or f"the training script of {entry.model}"
    took = training_time(entry.card)
    command = f"`{command}`" + (f" ({took})" if took else "")
    if entry.registered and entry.published:
        export = f"`{export_command(entry, entry.name + '_own')}` (then weights={entry.name + '_own'!r})"
        remedy = f"put {entry.file} into {WEIGHTS_DIR_VARIABLE}, or train your own with {command} and {export}"
    elif entry.registered:  # nobody can have the file: a user's own run may take its name
        remedy = f"make them with {command}, then `{export_command(entry)}`"
    else:
        remedy = f"train them again with {command} and `{export_command(entry)} --overwrite`"
    return ValueError(f"no {entry.file} for {entry.model} weights {entry.name!r} in {', '.join(places)}: {reason}; "
                      f"{remedy} (RUN_DIR: that run's --output-dir)")


def resolve(model: str, name: str) -> Path:
    """The file of ``model``'s weights named ``name``: from ``$ZOO_WEIGHTS_DIR``, the Keras cache,
    the package or a download, its SHA-256 checked; else a one-line ``ValueError`` that says
    how to train and export them."""
    return get(model, name).resolve()


def trained_settings(model: str, weights) -> dict:
    """The settings that trained ``weights``: a name's card, or the ``state.json`` of the run
    folder a weights file lies in; {} when neither says."""
    if is_weights_name(weights):
        return card(model, weights).get("hyperparameters") or {}
    state_file = Path(weights).parent / "state.json"
    state = read_json(state_file) if state_file.is_file() else {}
    return (state.get("settings") if isinstance(state, dict) else None) or {}


def load_word_vectors(name: str):
    """gensim ``KeyedVectors`` of the word2vec weights named ``name``."""
    from gensim.models import KeyedVectors

    path = resolve("word2vec", name)
    try:
        return KeyedVectors.load_word2vec_format(str(path), binary=True)
    except Exception as error:  # a file that passed its checksum but gensim cannot parse
        raise ValueError(f"cannot read {path} as word2vec vectors ({one_line(error)})") from None


def training_time(card: dict) -> str | None:
    """How long the card's run took and on what: "52 min on 2 CPU cores"; None if it does not say."""
    seconds = card.get("wall_time_s")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        return None
    took = f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"
    hardware = card.get("hardware") or {}
    device = str(hardware.get("device") or "").lower()
    count = hardware.get("replicas") or 1
    if "gpu" in device or "cuda" in device:
        where = f"{'one' if count == 1 else count} {hardware.get('accelerator') or 'GPU'}{'s' if count > 1 else ''}"
    elif "cpu" in device:
        cores = hardware.get("cpu_cores")
        where = f"{cores} CPU cores" if cores else "a CPU"
    else:
        return took
    return f"{took} on {where}"


def readable_size(size: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"
