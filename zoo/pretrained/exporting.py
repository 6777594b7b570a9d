"""A finished run made into named weights: each trained network's file and its model card.

A card says how the weights were made and what they measure: the metrics measured on the
held-out split beside the book's figure, the command and settings that trained them, the data
and its checksum, the seed, versions, hardware and wall time, the data's licence, intended use
and known limits. ``scripts/export_weights.py`` is its command line.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import re
import shlex
from pathlib import Path

from zoo import recipes, saving
from zoo.errors import one_line
from zoo.files import atomic_path, write_json
from zoo.pretrained import lookup
from zoo.pretrained.checks import verify_block
from zoo.pretrained.lookup import (FORMAT, REGISTERED, NAME_PATTERN, Weights, cache_dir, check_address, folder_sha256,
                                   readable_size, registered, registry_path, sha256_of)
from zoo.runrecords import read_finished

log = logging.getLogger("zoo")

KERAS_SUFFIX = ".weights.h5"
VECTORS_SUFFIX = ".vectors.bin"  # word2vec's binary format: plain numbers, unlike gensim's pickles

# A run's files that hold trained networks, by the run's model: (the zoo's model, file in the run).
RUN_FILES = {
    "gan": (("generator", "generator.keras"), ("discriminator", "discriminator.keras")),
    "word2vec": (("word2vec", "word2vec.model"),),
}
DEFAULT_RUN_FILE = "model.keras"

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
    monitor = (state.get("progress") or {}).get("monitor") or getattr(recipes.RECIPES.get(state["model"]), "monitor", None)
    # the GAN's quality figure beats its last losses; otherwise the book's metric, else the monitored one
    headline = next((key for key in ("pixel_fd", book.get("metric"), f"val_{book.get('metric')}", monitor)
                     if key in values), None)
    return {"split": _split(state, metrics),
            "headline": {"metric": headline, "value": values.get(headline)} if headline else None,
            "values": values}


def make_card(state: dict, metrics: dict, source_file: str, parameters: int | None = None,
              data_note: str | None = None, model: str | None = None) -> dict:
    """The model card of weights exported from a finished run (its state.json and metrics.json).
    ``data_note`` says what the data was where the run's record cannot (the bundled sample
    that was all the data there was, say); without it a sample run's card calls it a smoke test.
    ``model``: the zoo's model the weights are for (default: the run's; a GAN run exports a
    generator and a discriminator), whose ``verify`` block says how the card is re-measured."""
    data = _data_card(state)
    terms = _terms(str(data.get("dataset", "")))
    sample_caveat = SAMPLE_LIMITATION if data.get("source") == "sample" else ""
    limitations = [text for text in (terms["limitations"], data_note or sample_caveat) if text]
    runtime = state.get("runtime") or {}
    book = metrics.get("book") or {}
    card = {
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
    card["verify"] = verify_block(model or state["model"], card)
    return card


def _write_keras_weights(source: Path, target: Path) -> int:
    """A saved model's weights as ``.weights.h5``; returns its parameter count."""
    try:
        model = saving.load_model(source, compile=False)
    except Exception as error:  # truncated, or a model Keras cannot rebuild
        raise ValueError(f"cannot read {source} ({one_line(error)})") from None
    with atomic_path(target) as temporary:
        model.save_weights(temporary)
    return int(model.count_params())


def _write_word_vectors(source: Path, target: Path) -> int:
    """gensim's model as word2vec's binary format (no pickle to load, unlike gensim's own files)."""
    from gensim.models import Word2Vec

    try:
        vectors = Word2Vec.load(str(source)).wv
    except Exception as error:
        raise ValueError(f"cannot read {source} ({one_line(error)})") from None
    with atomic_path(target) as temporary:
        vectors.save_word2vec_format(str(temporary), binary=True)
    return int(vectors.vectors.size)


def export(run_dir, name: str | None = None, into=None, overwrite: bool = False, url: str | None = None,
           data_note: str | None = None, note: str | None = None, network: str | None = None) -> list[Weights]:
    """Turn a finished run into named weights: each trained network's file and its card.

    Written into ``into`` (default: the Keras cache, where ``weights=name`` finds them) as
    ``<model>.<name>.weights.h5`` beside its card ``<model>.<name>.json``. Into the package's
    ``zoo/pretrained`` the entry joins the registry instead, its file named with the start of
    its SHA-256 (``<model>.<name>-<sha256[:8]>.weights.h5``) so that no user's export and no
    stale download can take its place; with ``url`` (https; ending in "/", a folder the file's
    name is added to) it is registered as downloadable from there and its file goes to the
    Keras cache, to be uploaded there. A file over ``BUNDLE_LIMIT`` is
    registered without being bundled, and goes to the Keras cache too. ``data_note`` is the
    card's word on the data (see :func:`make_card`); ``note`` a remark of the card's own (how
    these weights were chosen among runs, say); ``network`` exports only that network of a run
    of several (the GAN's ``discriminator``, say). A user's export may take the name of a
    registered entry that is not published, never of one that is (it would shadow the file
    everybody else gets). Nothing is replaced without ``overwrite``; everything is checked
    before anything is written.
    """
    if url is not None:
        check_address(url)
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
    registering = into.resolve() == lookup.PRETRAINED_DIR.resolve()
    if url and not registering:
        raise ValueError(f"--url is for weights registered in the package (--into {lookup.PRETRAINED_DIR})")
    registry_entries = {(entry.model, entry.name): entry for entry in registered()}

    networks = RUN_FILES.get(state["model"], ((state["model"], DEFAULT_RUN_FILE),))
    if network is not None:
        networks = [item for item in networks if item[0] == network]
        if not networks:
            raise ValueError(f"--network {network!r} is not a network of the run in {run_dir}; expected one of "
                             f"{', '.join(model for model, _ in RUN_FILES.get(state['model'], ((state['model'], ''),)))}")
    plans = []
    for model, run_file in networks:
        source = run_dir / run_file
        if not source.is_file():
            raise ValueError(f"{run_dir} holds no {run_file}, though state.json says the run finished")
        suffix = VECTORS_SUFFIX if run_file.endswith(".model") else KERAS_SUFFIX
        if registering:
            if (model, name) in registry_entries and not overwrite:
                raise ValueError(f"{registry_path()} already holds {model} weights {name!r}; "
                                 f"pass --overwrite to replace them")
            plans.append((model, source, (cache_dir() if url else into) / f"{model}.{name}{suffix}", None))
            continue
        if (model, name) in registry_entries and registry_entries[(model, name)].published:
            raise ValueError(f"{model} already has published weights named {name!r}, which yours would shadow; "
                             f"choose another --name")
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
        address = url + target.name if url and url.endswith("/") else url
        card = make_card(state, metrics, source.name, parameters, data_note, model=model)
        if note:
            card["note"] = note
        entry = Weights(model, name, target.name, digest, target.stat().st_size, url=address,
                        bundled=bundled, card=portable(card) if registering else card,
                        found_in=REGISTERED if registering else str(card_path))
        if registering:
            _register(entry, registry_entries.get((model, name)))
        else:
            write_json(card_path, {"format": FORMAT, **entry.as_dict()})
        if registering and not bundled and not url:
            log.info(f"{target.name} is over {readable_size(BUNDLE_LIMIT)}: registered, not bundled; publish {target} "
                     f"and export again with --url")
        log.info(f"exported {model} weights {name!r}: {target}" + (f"; upload it to {address}" if url else ""))
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
    kept = [item for item in registered() if (item.model, item.name) != (entry.model, entry.name)]
    entries = sorted([*kept, entry], key=lambda item: (item.model, item.name))
    write_json(registry_path(), {"format": FORMAT, "weights": [item.as_dict() for item in entries]})
    if replaced is not None and replaced.file != entry.file:
        (lookup.PRETRAINED_DIR / replaced.file).unlink(missing_ok=True)
