"""Trained weights by name, each with a model card: ``build_lenet(weights="mnist")``.

    zoo.weights.available()                  # every entry: the registry's and the user's own exports
    zoo.weights.names("lenet")               # the names that exist for one model
    zoo.weights.card("lenet", "mnist")       # how the weights were made and what they measure
    zoo.weights.resolve("lenet", "mnist")    # the local file, its SHA-256 checked

An entry is one model of the zoo trained on one dataset: the model's zoo name, a short name
(usually the dataset's), the file, its SHA-256 and size, an address to download it from (or
None), whether the package bundles it, and a model card: the metrics measured on the held-out
split beside the book's figure, the command and settings that trained it, the data and its
checksum, the seed, versions, hardware and wall time, the data's licence, intended use and
known limits.

Entries come from the package's registry (``zoo/pretrained/registry.json``, the files bundled
beside it or downloadable) and from the cards ``scripts/export_weights.py`` writes beside a
user's exported file (``<model>.<name>.json`` in ``$ZOO_WEIGHTS_DIR`` or the Keras cache).

A file is looked for in ``$ZOO_WEIGHTS_DIR``, then the Keras cache (``$KERAS_HOME/models/dli-zoo``;
``KERAS_HOME`` defaults to ``~/.keras``), then the package; failing those it is downloaded into
the cache from ``$ZOO_WEIGHTS_URL/<file>`` or the entry's address (never under ``ZOO_OFFLINE=1``).
Its SHA-256 is checked wherever it comes from. ``docs/pretrained.md`` is the registry as a table:
``python -m zoo.weights --write docs/pretrained.md``.

Importing this module loads neither Keras nor TensorFlow; a download or an export does.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import logging
import os
import re
import shlex
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from zoo.datasets import offline
from zoo.files import atomic_path, document_command, temporary_name, write_json
from zoo.runfolder import read_finished

log = logging.getLogger("zoo")

PRETRAINED_DIR = Path(__file__).resolve().parent / "pretrained"  # read at each call: tests point it elsewhere
REGISTRY_FILE = "registry.json"
FORMAT = 1
CACHE_SUBDIR = "models/dli-zoo"
WEIGHTS_DIR_VARIABLE = "ZOO_WEIGHTS_DIR"
MIRROR_VARIABLE = "ZOO_WEIGHTS_URL"
EXPORT_COMMAND = "python scripts/export_weights.py"
TABLE_PATH = "docs/pretrained.md"
REGENERATE = f"python -m zoo.weights --write {TABLE_PATH}"

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_]*")  # no dots: "<model>.<name>.json" must split one way
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
KERAS_SUFFIX = ".weights.h5"
VECTORS_SUFFIX = ".vectors.bin"  # word2vec's binary format: plain numbers, unlike gensim's pickles

# A run's files that hold trained networks, by the run's model: (the zoo's model, file in the run).
RUN_FILES = {
    "gan": (("generator", "generator.keras"), ("discriminator", "discriminator.keras")),
    "word2vec": (("word2vec", "word2vec.model"),),
}
DEFAULT_RUN_FILE = "model.keras"
REGISTERED = "registry"  # where a registry entry was found, as opposed to a user's card

# What a card says of the data a model learned from; keys are dataset names, or their prefix before "/".
DATA_TERMS = {
    "mnist": {
        "licence": "CC BY-SA 3.0 (MNIST; LeCun, Cortes and Burges)",
        "intended_use": "classifying 28x28 grey handwritten digits, white on black and centred as in MNIST",
        "limitations": "digits only, in MNIST's style: photographs, other scripts or off-centre digits are out of its range",
    },
    "fashion_mnist": {
        "licence": "MIT (Fashion-MNIST; Zalando Research)",
        "intended_use": "classifying 28x28 grey images of ten kinds of clothing, as in Fashion-MNIST",
        "limitations": "Zalando's product images only: photographs of worn clothes are out of its range",
    },
    "boston_housing": {
        "licence": "public domain (U.S. Census data; Harrison and Rubinfeld, 1978)",
        "intended_use": "the book's regression example: median house values of Boston tracts in $1000s",
        "limitations": "506 tracts of 1970 Boston; one feature (B) is derived from the share of Black residents; "
                       "not for valuing real houses",
    },
    "imdb": {
        "licence": "free for research use as released by Maas et al. (2011)",
        "intended_use": "positive or negative sentiment of English movie reviews in Keras' IMDb encoding",
        "limitations": "movie reviews only; inputs must use Keras' IMDb word ranks and the card's vocabulary "
                       "and length; reviews are IMDb users' text, with their biases",
    },
    "quickdraw": {
        "licence": "CC BY 4.0 (Google Quick, Draw!)",
        "intended_use": "drawing 28x28 doodles of one Quick, Draw! category",
        "limitations": "one category at 28x28; quality is judged only by the card's pixel Frechet distance",
    },
    "gutenberg": {
        "licence": "public domain (Project Gutenberg texts)",
        "intended_use": "word similarities and analogies for teaching",
        "limitations": "a small corpus of older English books: the vocabulary, and the associations, are theirs",
    },
    "flowers17": {
        "licence": "no licence stated by its authors (Nilsback and Zisserman, 2006); distributed by the Oxford "
                   "VGG group for research",
        "intended_use": "classifying photos of 17 flower species common in the UK",
        "limitations": "1,360 photos in all: other species, or photos unlike the data set's, are out of its range",
    },
    "hotdog": {
        "licence": "not stated by the data's publisher: check before redistributing",
        "intended_use": "the book's transfer-learning example: hot dog or not",
        "limitations": "two classes of food photos",
    },
    "CartPole": {
        "licence": "MIT (gymnasium's environment; no data set)",
        "intended_use": "acting in gymnasium's CartPole of the card's version",
        "limitations": "that environment's four-number state only; the agent's score varies from run to run",
    },
    "doom": {
        "licence": "MIT (ViZDoom and its scenarios; no data set)",
        "intended_use": "acting in the card's ViZDoom scenario from 30x45 grey frames",
        "limitations": "that scenario, frame repeat and resolution only",
    },
}
UNKNOWN_TERMS = {"licence": "unknown: check the data's terms", "intended_use": "", "limitations": ""}
SAMPLE_LIMITATION = "trained on the small bundled sample, a smoke test: not comparable with the book's figure"
BUNDLE_LIMIT = 6_000_000  # bytes: a larger file is registered, not shipped in the package
# metrics.json numbers that describe the run rather than measure the model
NOT_MEASURES = {"device", "strategy", "replicas", "precision", "seed", "wall_time_s", "segments", "n_train",
                "n_validation", "params", "training_time_s", "epochs", "episodes", "iterations", "updates",
                "batch_size", "best_epoch", "eval_episodes", "test_episodes", "steps_per_epoch", "frame_repeat",
                "reward_threshold", "epsilon", "image_size", "vocabulary", "words_per_second",
                "words_taken_over"}


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
    if data.get("url") is not None and not isinstance(data.get("url"), str):
        problems.append("url is not text")
    if not isinstance(data.get("card", {}), dict):
        problems.append("card is not a JSON object")
    if problems:
        raise ValueError(f"{source}: {'; '.join(problems)}")
    return Weights(data["model"], data["name"], file, data["sha256"], size, data.get("url"),
                   bool(data.get("bundled", False)), dict(data.get("card") or {}), source)


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise ValueError(f"{path} is damaged ({reason})") from None


def registry_path() -> Path:
    return PRETRAINED_DIR / REGISTRY_FILE


def _registered() -> list[Weights]:
    """The package's registry; a damaged one is an error, as it ships with the code."""
    path = registry_path()
    if not path.is_file():
        return []
    data = _read_json(path)
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
            entry = _entry(_read_json(path), str(path))
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
    """Every entry (or ``model``'s): the registry's first, then the user's exported ones."""
    registered = _registered()
    taken = {(entry.model, entry.name) for entry in registered}
    users, damaged = _user_entries()
    for (card_model, card_name), reason in damaged.items():
        if model in (None, card_model):
            log.warning(f"skipping a weights card: {reason}")
    entries = registered + [entry for entry in users if (entry.model, entry.name) not in taken]
    return [entry for entry in entries if model is None or entry.model == model]


def names(model: str) -> list[str]:
    """The weights names that exist for ``model``."""
    return [entry.name for entry in available(model)]


def get(model: str, name: str) -> Weights:
    """The entry ``model``/``name``; an unknown name is a ``ValueError`` listing those that exist."""
    registered = [entry for entry in _registered() if entry.model == model]
    for entry in registered:
        if entry.name == name:
            return entry
    users, damaged = _user_entries()
    for entry in users:
        if (entry.model, entry.name) == (model, name):
            return entry
    if (model, name) in damaged:
        raise ValueError(f"{damaged[(model, name)]}; export the weights again")
    known = sorted({entry.name for entry in registered} | {entry.name for entry in users if entry.model == model})
    if known:
        raise ValueError(f"{model} has no weights named {name!r}; the names that exist for {model}: {', '.join(known)}")
    raise ValueError(f"{model} has no weights named {name!r}, nor any named weights yet: train it and run "
                     f"`{EXPORT_COMMAND} RUN_DIR --name {name}`, or pass a .weights.h5/.keras file")


def card(model: str, name: str) -> dict:
    """The model card of ``model``/``name``, with the entry's file, checksum and address."""
    entry = get(model, name)
    return {**copy.deepcopy(entry.card), "model": entry.model, "name": entry.name, "file": entry.file,
            "sha256": entry.sha256, "size": entry.size, "url": entry.url, "bundled": entry.bundled}


def is_weights_name(weights) -> bool:
    """A string that names registered or exported weights (``"mnist"``) rather than a file:
    no existing path, no folder in it and no ``.keras``/``.h5`` ending."""
    return (isinstance(weights, str) and bool(weights) and "/" not in weights and os.sep not in weights
            and not weights.endswith((".keras", ".h5")) and not Path(weights).exists())


# ----------------------------------------------------------------------------- resolution

_hashes: dict[tuple, str] = {}  # (path, size, mtime) -> SHA-256, so loading twice reads the file once


def folder_sha256(folder) -> str:
    """A folder's checksum: the SHA-256 of its manifest, one ``<relative path> <file's SHA-256>``
    line per file (hidden ones skipped), sorted, so it changes with any file's name or bytes."""
    folder = Path(folder)
    files = sorted(path for path in folder.rglob("*")
                   if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts))
    manifest = "".join(f"{path.relative_to(folder).as_posix()} {sha256_of(path)}\n" for path in files)
    return hashlib.sha256(manifest.encode()).hexdigest()


def sha256_of(path) -> str:
    path = Path(path)
    status = path.stat()
    key = (str(path.resolve()), status.st_size, status.st_mtime_ns)
    if key not in _hashes:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _hashes[key] = digest.hexdigest()
    return _hashes[key]


def _verified(path: Path, entry: Weights) -> Path:
    actual = sha256_of(path)
    if actual != entry.sha256:
        raise ValueError(f"{path} is not the file of {entry.model} weights {entry.name!r}: its SHA-256 is {actual}, "
                         f"expected {entry.sha256}; delete or replace it")
    return path


def _resolve(entry: Weights) -> Path:
    for folder in [*_search_folders(), PRETRAINED_DIR]:
        path = folder / entry.file
        if path.is_file():
            return _verified(path, entry)
    origins = []
    mirror = os.environ.get(MIRROR_VARIABLE)
    if mirror:
        origins.append(f"{mirror.rstrip('/')}/{entry.file}")
    if entry.url and entry.url not in origins:
        origins.append(entry.url)
    if not origins:
        raise _not_found(entry, f"it has no download address and {MIRROR_VARIABLE} is not set")
    if offline():
        raise _not_found(entry, "ZOO_OFFLINE is set, so it is not downloaded")
    failures = []
    for origin in origins:
        try:
            return _download(entry, origin)
        except ValueError as error:
            failures.append(str(error))
    raise _not_found(entry, "; ".join(failures))


def _not_found(entry: Weights, reason: str) -> ValueError:
    """One line: where the file was looked for, why it was not fetched, and how to make weights like it.
    Weights trained anew differ from a registered file, so they take a name of their own."""
    places = [f"{WEIGHTS_DIR_VARIABLE} ({weights_dir() or 'not set'})", str(cache_dir()), "the package"]
    command = entry.card.get("command") or f"the training script of {entry.model}"
    if entry.registered:
        export = f"`{EXPORT_COMMAND} RUN_DIR --name {entry.name}_own` (then weights={entry.name + '_own'!r})"
        remedy = f"put {entry.file} into {WEIGHTS_DIR_VARIABLE}, or train your own with `{command}` and {export}"
    else:
        remedy = f"train them again with `{command}` and `{EXPORT_COMMAND} RUN_DIR --name {entry.name} --overwrite`"
    return ValueError(f"no {entry.file} for {entry.model} weights {entry.name!r} in {', '.join(places)}: {reason}; "
                      f"{remedy} (RUN_DIR: that run's --output-dir)")


def _download(entry: Weights, origin: str) -> Path:
    """``keras.utils.get_file`` under a temporary name, renamed into the cache only once its
    SHA-256 is right: a failed or wrong download leaves nothing behind."""
    import keras

    final = cache_dir() / entry.file
    temporary = temporary_name(final)
    # Keras falls back to /tmp/.keras when it finds no writable cache: clean there too
    leftovers = [temporary, Path("/tmp/.keras") / CACHE_SUBDIR / temporary.name]
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        downloaded = Path(keras.utils.get_file(temporary.name, origin, file_hash=entry.sha256, hash_algorithm="sha256",
                                               cache_dir=str(keras_home()), cache_subdir=CACHE_SUBDIR))
        leftovers.append(downloaded)
        final = downloaded.with_name(entry.file)
        os.replace(downloaded, final)
        return final
    except Exception as error:  # network, HTTP, file system or checksum: one line
        reason = " ".join(str(error).split()) or type(error).__name__
        for path in leftovers:
            if path.is_file():
                if "does not match" in reason:  # Keras' words give the expected hash only
                    reason = f"its SHA-256 is {sha256_of(path)}, expected {entry.sha256}"
                path.unlink()
        raise ValueError(f"download of {entry.file} from {origin} failed ({reason}); nothing was kept") from None


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
    state = _read_json(state_file) if state_file.is_file() else {}
    return (state.get("settings") if isinstance(state, dict) else None) or {}


def load_word_vectors(name: str):
    """gensim ``KeyedVectors`` of the word2vec weights named ``name``."""
    from gensim.models import KeyedVectors

    path = resolve("word2vec", name)
    try:
        return KeyedVectors.load_word2vec_format(str(path), binary=True)
    except Exception as error:  # a file that passed its checksum but gensim cannot parse
        raise ValueError(f"cannot read {path} as word2vec vectors ({' '.join(str(error).split())})") from None


# ----------------------------------------------------------------------------- export

read_finished_run = read_finished  # the run folder's own reader


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def default_name(state: dict) -> str | None:
    """A name from what the run learned from: its dataset ("quickdraw/apple" -> "quickdraw_apple",
    "_sample" added for the bundled sample) or its environment ("CartPole-v1" -> "cartpole_v1")."""
    data, settings = state.get("data") or {}, state.get("settings") or {}
    if data.get("dataset"):
        name = _slug(data["dataset"])
        return f"{name}_sample" if data.get("source") == "sample" else name
    if isinstance(settings.get("env"), str):
        return _slug(settings["env"]) or None
    if isinstance(settings.get("scenario"), str):
        return _slug(f"doom_{Path(settings['scenario']).stem}")
    return None


def _terms(dataset: str) -> dict:
    key = dataset.split("/")[0]
    for prefix, terms in DATA_TERMS.items():
        if key == prefix or (prefix in ("CartPole", "doom") and key.startswith(prefix)):
            return dict(terms)
    return dict(UNKNOWN_TERMS)


def _data_card(state: dict) -> dict:
    """The data the run learned from, with a checksum of its file or folder."""
    data, settings = dict(state.get("data") or {}), state.get("settings") or {}
    if not data:  # an agent learns from an environment
        environment = settings.get("env") or settings.get("scenario")
        dataset = (environment if settings.get("env") else f"doom/{environment}") if environment else "unknown"
        return {"dataset": dataset, "environment": environment, "sha256": None}
    origin = Path(str(data.get("origin", "")))
    data["sha256"] = None
    try:  # the weights file is written by now: an unreadable data file must not leave it without its card
        if origin.is_file():
            data["sha256"] = sha256_of(origin)
        elif origin.is_dir():
            data["sha256"] = folder_sha256(origin)
            data["sha256_note"] = "a folder: the SHA-256 of its sorted manifest of relative paths and file SHA-256s"
        else:
            data["sha256_note"] = "the data was not there at export"
    except OSError as error:
        data["sha256_note"] = f"the data could not be read at export ({error.__class__.__name__}: {error})"
    return data


def _split(state: dict, metrics: dict) -> str:
    data = state.get("data") or {}
    if data.get("n_validation"):
        return f"validation: {data['n_validation']:,} held-out examples of {data.get('dataset')} ({data.get('source')})"
    if isinstance(metrics.get("eval_episodes"), int):
        return f"evaluation: {metrics['eval_episodes']:,} greedy episodes after training"
    if isinstance(metrics.get("test_episodes"), int):
        return f"test: {metrics['test_episodes']:,} greedy episodes after the last epoch"
    return "training (no held-out split): figures over the last stretch of training"


def _measured(state: dict, metrics: dict) -> dict:
    """The run's figures (numbers only) on its held-out split, with the one to read beside the book's."""
    values = {key: value for key, value in metrics.items()
              if isinstance(value, (int, float)) and not isinstance(value, bool) and key not in NOT_MEASURES}
    book = metrics.get("book") or {}
    from zoo import recipes

    monitor = (state.get("progress") or {}).get("monitor") or getattr(recipes.RECIPES.get(state["model"]), "monitor", None)
    # the GAN's quality figure beats its last losses; otherwise the book's metric, else the monitored one
    headline = next((key for key in ("pixel_fd", book.get("metric"), f"val_{book.get('metric')}", monitor)
                     if key in values), None)
    return {"split": _split(state, metrics),
            "headline": {"metric": headline, "value": values.get(headline)} if headline else None,
            "values": values}


def make_card(state: dict, metrics: dict, source_file: str, parameters: int | None = None,
              data_note: str | None = None) -> dict:
    """The model card of weights exported from a finished run (its state.json and metrics.json).
    ``data_note`` says what the data was where the run's record cannot (the bundled sample
    that was all the data there was, say); without it a sample run's card calls it a smoke test."""
    data = _data_card(state)
    terms = _terms(str(data.get("dataset", "")))
    sample_caveat = SAMPLE_LIMITATION if data.get("source") == "sample" else ""
    limitations = [text for text in (terms["limitations"], data_note or sample_caveat) if text]
    runtime = state.get("runtime") or {}
    book = metrics.get("book") or {}
    return {
        "trained_as": state["model"],
        "script": state.get("script"),
        "command": state.get("command"),
        "source_file": source_file,
        "parameters": parameters,
        "metrics": _measured(state, metrics),
        "book": {"metric": book.get("metric"), "value": book.get("value"), "note": book.get("note", "")},
        "hyperparameters": state.get("settings") or {},
        # where the run stood; per-episode lists stay in the run's own files
        "progress": {key: value for key, value in (state.get("progress") or {}).items()
                     if value is None or isinstance(value, (bool, int, float, str))},
        "data": data,
        "seed": runtime.get("seed"),
        "versions": state.get("versions") or {},
        "hardware": {key: runtime.get(key) for key in ("device", "strategy", "replicas", "precision")},
        "wall_time_s": state.get("wall_time_s"),
        "licence": terms["licence"],
        "intended_use": terms["intended_use"],
        "limitations": "; ".join(limitations),
        "exported": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _write_keras_weights(source: Path, target: Path) -> int:
    """A saved model's weights as ``.weights.h5``; returns its parameter count."""
    import keras

    try:
        model = keras.models.load_model(source, compile=False)
    except Exception as error:  # truncated, or a model Keras cannot rebuild
        raise ValueError(f"cannot read {source} ({' '.join(str(error).split()) or type(error).__name__})") from None
    with atomic_path(target) as temporary:
        model.save_weights(temporary)
    return int(model.count_params())


def _write_word_vectors(source: Path, target: Path) -> int:
    """gensim's model as word2vec's binary format (no pickle to load, unlike gensim's own files)."""
    from gensim.models import Word2Vec

    try:
        vectors = Word2Vec.load(str(source)).wv
    except Exception as error:
        raise ValueError(f"cannot read {source} ({' '.join(str(error).split()) or type(error).__name__})") from None
    with atomic_path(target) as temporary:
        vectors.save_word2vec_format(str(temporary), binary=True)
    return int(vectors.vectors.size)


def export(run_dir, name: str | None = None, into=None, overwrite: bool = False, url: str | None = None,
           data_note: str | None = None, note: str | None = None) -> list[Weights]:
    """Turn a finished run into named weights: each trained network's file and its card.

    Written into ``into`` (default: the Keras cache, where ``weights=name`` finds them) as
    ``<model>.<name>.weights.h5`` beside its card ``<model>.<name>.json``. Into the package's
    ``zoo/pretrained`` the entry joins the registry instead, its file named with the start of
    its SHA-256 (``<model>.<name>-<sha256[:8]>.weights.h5``) so that no user's export and no
    stale download can take its place; with ``url`` it is registered as downloadable from there
    and its file goes to the Keras cache, to be uploaded. A file over ``BUNDLE_LIMIT`` is
    registered without being bundled, and goes to the Keras cache too. ``data_note`` is the
    card's word on the data (see :func:`make_card`); ``note`` a remark of the card's own (how
    these weights were chosen among runs, say). Nothing is replaced without ``overwrite``;
    everything is checked before anything is written.
    """
    run_dir = Path(run_dir)
    state, metrics = read_finished_run(run_dir)
    name = name or default_name(state)
    if name is None:
        raise ValueError(f"cannot tell what the run in {run_dir} learned from; pass --name NAME")
    if not NAME_PATTERN.fullmatch(name):
        raise ValueError(f"--name {name!r} is invalid: expected lower-case letters, digits and _")
    into = Path(into).expanduser() if into is not None else cache_dir()
    if into.exists() and not into.is_dir():
        raise ValueError(f"--into {into} is not a folder")
    registering = into.resolve() == PRETRAINED_DIR.resolve()
    if url and not registering:
        raise ValueError(f"--url is for weights registered in the package (--into {PRETRAINED_DIR})")
    registered = {(entry.model, entry.name): entry for entry in _registered()}

    plans = []
    for model, run_file in RUN_FILES.get(state["model"], ((state["model"], DEFAULT_RUN_FILE),)):
        source = run_dir / run_file
        if not source.is_file():
            raise ValueError(f"{run_dir} holds no {run_file}, though state.json says the run finished")
        suffix = VECTORS_SUFFIX if run_file.endswith(".model") else KERAS_SUFFIX
        if registering:
            if (model, name) in registered and not overwrite:
                raise ValueError(f"{registry_path()} already holds {model} weights {name!r}; "
                                 f"pass --overwrite to replace them")
            plans.append((model, source, (cache_dir() if url else into) / f"{model}.{name}{suffix}", None))
            continue
        if (model, name) in registered:
            raise ValueError(f"{model} already has registered weights named {name!r}; choose another --name")
        target, card_path = into / f"{model}.{name}{suffix}", into / f"{model}.{name}.json"
        existing = next((path for path in (target, card_path) if path.exists()), None)
        if existing is not None and not overwrite:
            raise ValueError(f"{existing} already exists; pass --overwrite to replace it")
        plans.append((model, source, target, card_path))

    exported = []
    for model, source, target, card_path in plans:
        write = _write_word_vectors if target.name.endswith(VECTORS_SUFFIX) else _write_keras_weights
        parameters = write(source, target)
        digest = sha256_of(target)
        bundled = registering and not url and target.stat().st_size <= BUNDLE_LIMIT
        if registering:
            folder = target.parent if bundled or url else cache_dir()
            folder.mkdir(parents=True, exist_ok=True)
            named = folder / f"{model}.{name}-{digest[:8]}{target.name[len(f'{model}.{name}'):]}"
            os.replace(target, named)
            target = named
        card = make_card(state, metrics, source.name, parameters, data_note)
        if note:
            card["note"] = note
        entry = Weights(model, name, target.name, digest, target.stat().st_size, url=url,
                        bundled=bundled, card=portable(card) if registering else card,
                        found_in=REGISTERED if registering else str(card_path))
        if registering:
            _register(entry, registered.get((model, name)))
        else:
            write_json(card_path, {"format": FORMAT, **entry.as_dict()})
        if registering and not bundled and not url:
            log.info(f"{target.name} is over {_size(BUNDLE_LIMIT)}: registered, not bundled; publish {target} "
                     f"and export again with --url")
        log.info(f"exported {model} weights {name!r}: {target}" + (f"; upload it to {url}" if url else ""))
        exported.append(entry)
    return exported


def portable(card: dict) -> dict:
    """A card for the package: the trainer's own folders become placeholders (the data is
    identified by its SHA-256, the run folder by nothing that matters)."""
    card = json.loads(json.dumps(card))
    if card.get("command"):
        words = shlex.split(card["command"])
        for flag, placeholder in (("--data-dir", "DATA_DIR"), ("--output-dir", f"model_output/{card.get('trained_as')}")):
            if flag in words[:-1]:
                words[words.index(flag) + 1] = placeholder
        if len(words) > 1 and Path(words[1]).parent.name == "scripts":
            words[1] = f"scripts/{Path(words[1]).name}"
        card["command"] = shlex.join(words)
    data = card.get("data") or {}
    if data.get("origin"):
        data["origin"] = Path(data["origin"]).name  # the file's name; its SHA-256 says which file
    return card


def _register(entry: Weights, replaced: Weights | None) -> None:
    """Add ``entry`` to the package's registry (kept sorted), dropping the file of the one it replaces."""
    kept = [item for item in _registered() if (item.model, item.name) != (entry.model, entry.name)]
    entries = sorted([*kept, entry], key=lambda item: (item.model, item.name))
    write_json(registry_path(), {"format": FORMAT, "weights": [item.as_dict() for item in entries]})
    if replaced is not None and replaced.file != entry.file:
        (PRETRAINED_DIR / replaced.file).unlink(missing_ok=True)


# ----------------------------------------------------------------------------- the table

def _number(value) -> str:
    if value is None:
        return "none"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else f"{value:.4g}"


def _size(size: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _measured_cell(entry: Weights) -> str:
    measured = entry.card.get("metrics") or {}
    headline = measured.get("headline") or {}
    if not headline.get("metric"):
        return "none"
    split = str(measured.get("split", "")).split(":")[0]
    return f"{headline['metric']} {_number(headline.get('value'))}" + (f" ({split})" if split else "")


def _book_cell(entry: Weights) -> str:
    book = entry.card.get("book") or {}
    if not book.get("metric"):
        return "none"
    return f"{book['metric']} {_number(book.get('value'))}" if book.get("value") is not None else f"no figure ({book['metric']})"


def markdown_table() -> str:
    """Every registered entry as a Markdown table: model, name, the measured figure and its split,
    the book's figure, size, where the file comes from and the command that trained it."""
    entries = _registered()
    if not entries:
        return ("No pretrained weights are registered yet. Train a model, then "
                f"`{EXPORT_COMMAND} RUN_DIR --name NAME` makes `weights=\"NAME\"` load it.\n")
    lines = ["| Model | Weights | Measured | The book | Size | File | Trained with |",
             "|---|---|---|---|---|---|---|"]
    for entry in entries:
        where = "in the package" if entry.bundled else ("download" if entry.url else "not published")
        command = entry.card.get("command") or "unknown"
        lines.append(f"| `{entry.model}` | `{entry.name}` | {_cell(_measured_cell(entry))} | {_cell(_book_cell(entry))} "
                     f"| {_size(entry.size)} | {where} | `{_cell(command)}` |")
    return "\n".join(lines) + "\n"


def pretrained_document() -> str:
    """``docs/pretrained.md``: the table, with how to load and make weights."""
    return "\n".join([
        "# Pretrained weights",
        "",
        f"Generated from `zoo/pretrained/{REGISTRY_FILE}`; do not edit: run `{REGENERATE}`.",
        "",
        "Load them by name, e.g. `build_lenet(weights=\"mnist\")`; `zoo.weights.card(model, name)` holds",
        "each one's model card. Files are looked for in `$ZOO_WEIGHTS_DIR`, the Keras cache",
        f"(`$KERAS_HOME/{CACHE_SUBDIR}`) and the package, then downloaded (from `$ZOO_WEIGHTS_URL` if set),",
        "their SHA-256 checked wherever they come from. Your own runs become named weights with",
        f"`{EXPORT_COMMAND} RUN_DIR --name NAME`.",
        "",
        markdown_table(),
    ])


def main(argv=None) -> None:
    document_command("python -m zoo.weights", "the registry", pretrained_document, TABLE_PATH, argv)

if __name__ == "__main__":
    main()
