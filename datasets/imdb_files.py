"""The IMDb files the loader reads, each into Keras' encoding, and the writer of the bundled sample.

Four formats, each read into ``((train reviews, train labels), (test reviews, test labels))``,
reviews as lists of indices with the start marker (``zoo.datasets.imdb_words``):

- the bundled sample (:func:`read_sample`, written by :func:`write_sample`): flat int32
  tokens with offsets, no pickle;
- Keras' ``imdb.npz`` (:func:`read_keras_npz`): pickled ragged lists of word ranks;
- the raw Large Movie Review Dataset, an ``aclImdb/`` folder or its tarball (:func:`read_raw`);
- tensorflow-datasets' prepared ``imdb_reviews`` (:func:`read_tfds`).

What is read is checked before it is used: Keras' reviews must be lists of integer word
indices with 0/1 labels, raw reviews UTF-8 text (not binary, not empty), and neither split
empty; anything else is one line naming the file.
"""

from __future__ import annotations

import gzip
import os
import pickle
import re
import tarfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from zoo.datasets._sources import DataSourceError, read_error
from zoo.datasets._validate import class_labels, decode_text
from zoo.datasets.imdb_words import INDEX_FROM, SAMPLE_WORD_INDEX, START_CHAR, encode, word_index

SAMPLE = "imdb_sample.npz"
_RAW_REVIEW = re.compile(r"(?:^|/)aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")

# What reading an npz, a tarball or a pickled array raises on a damaged or foreign file.
READ_ERRORS = (OSError, EOFError, zlib.error, zipfile.BadZipFile, tarfile.TarError, pickle.UnpicklingError,
               KeyError, ValueError, ImportError, AttributeError)


def _split(tokens, offsets):
    return [tokens[a:b].tolist() for a, b in zip(offsets[:-1], offsets[1:])]


def _joined(sequences):
    """Ragged sequences as one flat int32 array and offsets (how the sample is stored, no pickle)."""
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    tokens = np.fromiter((w for s in sequences for w in s), dtype=np.int32, count=int(offsets[-1]))
    return tokens, offsets


def _checked_labels(labels, count: int, where: str) -> np.ndarray:
    """0/1 labels, one per review."""
    labels = class_labels(labels, 2, where)
    if len(labels) != count:
        raise DataSourceError(f"{where} holds {len(labels)} labels for {count} reviews; expected one per review")
    return labels


def read_sample(path: Path):
    """The bundled sample (:func:`write_sample`'s file)."""
    try:
        with np.load(path) as data:
            parts = [(_split(data[f"x_{part}_tokens"], data[f"x_{part}_offsets"]), data[f"y_{part}"], part)
                     for part in ("train", "test")]
    except READ_ERRORS as error:
        raise read_error(path, error) from None
    return tuple((xs, _checked_labels(ys, len(xs), f"y_{part} in {path}")) for xs, ys, part in parts)


def _word_ranks(reviews, where: str) -> list[list[int]]:
    """Keras' stored reviews with the start marker and INDEX_FROM added, each checked to be a
    list of word ranks (integers >= 0): anything else would fail or be nonsense in training."""
    kinds = {"U": "strings", "S": "bytes", "f": "floats", "c": "complex numbers", "b": "booleans", "O": "objects"}
    encoded = []
    for position, review in enumerate(reviews):
        try:
            ranks = np.asarray(review)
        except ValueError:  # a ragged list of lists
            ranks = np.asarray(None)
        if ranks.ndim != 1 or (ranks.size and ranks.dtype.kind not in "iu"):
            what = (f"a single {type(review).__name__} value" if ranks.ndim == 0 else
                    f"an array of {kinds.get(ranks.dtype.kind, ranks.dtype.name)} shaped {ranks.shape}")
            raise DataSourceError(f"review {position} of {where} is {what}: expected a list of integer word indices")
        if ranks.size and ranks.min() < 0:
            raise DataSourceError(f"review {position} of {where} holds the word index {ranks.min()}: "
                                  f"expected word ranks >= 0")
        encoded.append([START_CHAR] + (ranks.astype(np.int64) + INDEX_FROM).tolist())
    return encoded


def read_keras_npz(path: Path):
    """Keras' imdb.npz: ragged object arrays of word ranks without the start marker or offset."""
    try:
        with np.load(path, allow_pickle=True) as data:  # Keras' own file stores pickled lists
            parts = [(data[f"x_{p}"], data[f"y_{p}"], p) for p in ("train", "test")]
    except READ_ERRORS as error:
        raise read_error(path, error) from None
    checked = []
    for xs, ys, part in parts:
        if xs.ndim == 0:
            raise DataSourceError(f"x_{part} in {path} is a single {xs.dtype} value: expected one list of word "
                                  f"indices per review")
        sequences = _word_ranks(xs, f"x_{part} in {path}")
        checked.append((sequences, _checked_labels(ys, len(sequences), f"y_{part} in {path}")))
    return tuple(checked)


def _raw_reviews(path: Path):
    """``{(split, label, id): (file name, raw bytes)}`` from an ``aclImdb`` folder or its tarball."""
    reviews = {}
    if path.is_dir():
        root = path if path.name == "aclImdb" else path / "aclImdb"
        for split in ("train", "test"):
            for label in ("pos", "neg"):
                for file in (root / split / label).glob("*.txt"):
                    match = _RAW_REVIEW.search(file.as_posix())
                    if match:
                        reviews[(split, label, int(match.group(3)))] = (str(file), file.read_bytes())
    else:
        with tarfile.open(path) as archive:
            for member in archive:
                match = _RAW_REVIEW.search(member.name) if member.isfile() else None
                if match:
                    key = (match.group(1), match.group(2), int(match.group(3)))
                    reviews[key] = (f"{path}:{member.name}", archive.extractfile(member).read())
    return reviews


def read_raw(path: Path, index: dict):
    """The raw aclImdb reviews tokenised into Keras' encoding (train, test), in a fixed order.

    A review that is not UTF-8 text (a binary file, say) or is empty is an error naming it.
    """
    try:
        reviews = _raw_reviews(path)
    except (OSError, EOFError, zlib.error, tarfile.TarError) as error:
        raise read_error(path, error) from None
    parts = []
    for split in ("train", "test"):
        keys = sorted(k for k in reviews if k[0] == split)  # neg before pos, by id: the shuffle does the rest
        if not keys:
            raise DataSourceError(f"{path} holds no aclImdb/{split}/pos|neg/*.txt reviews")
        texts = [decode_text(raw, name) for name, raw in (reviews[k] for k in keys)]
        parts.append(([encode(t, index) for t in texts], np.array([k[1] == "pos" for k in keys], dtype=np.int64)))
    return tuple(parts)


def tfds_folder() -> Path | None:
    """tensorflow-datasets' data folder, when it holds ``imdb_reviews``."""
    folder = Path(os.environ.get("TFDS_DATA_DIR", Path.home() / "tensorflow_datasets")).expanduser()
    return folder if (folder / "imdb_reviews").is_dir() else None


def is_tfds(path: Path) -> bool:
    return path.is_dir() and path.name != "aclImdb" and (path / "imdb_reviews").is_dir()


def read_tfds(folder: Path, index: dict):
    """tensorflow-datasets' prepared ``imdb_reviews`` (never downloaded here), tokenised like aclImdb."""
    import tensorflow_datasets as tfds

    try:
        splits = tfds.load("imdb_reviews", split=["train", "test"], data_dir=str(folder), download=False)
    except Exception as error:  # tfds raises many kinds; all mean "not usable here"
        raise read_error(folder / "imdb_reviews", error) from None
    parts = []
    for split in splits:
        texts, labels = [], []
        for example in tfds.as_numpy(split):
            texts.append(example["text"].decode("utf-8", errors="replace"))
            labels.append(int(example["label"]))
        parts.append(([encode(t, index) for t in texts], np.array(labels, dtype=np.int64)))
    return tuple(parts)


def write_sample(raw, folder, n_per_split=1000, seed=0, index_path=None) -> None:
    """How the bundled sample was made: balanced random reviews of each aclImdb split, encoded.

    ``write_sample("aclImdb_v1.tar.gz", "datasets/samples", index_path="imdb_word_index.json")``
    """
    index = word_index(index_path)
    folder = Path(folder)
    rng = np.random.RandomState(seed)
    arrays = {}
    for part, (sequences, labels) in zip(("train", "test"), read_raw(Path(raw), index)):
        chosen = np.concatenate([rng.choice(np.flatnonzero(labels == label), n_per_split // 2, replace=False)
                                 for label in (0, 1)])
        chosen = chosen[rng.permutation(len(chosen))]
        tokens, offsets = _joined([sequences[i] for i in chosen])
        arrays.update({f"x_{part}_tokens": tokens, f"x_{part}_offsets": offsets,
                       f"y_{part}": labels[chosen].astype(np.int8)})
    np.savez_compressed(folder / SAMPLE, **arrays)
    words = [word for word, _ in sorted(index.items(), key=lambda item: item[1])]
    with gzip.open(folder / SAMPLE_WORD_INDEX, "wt", encoding="utf-8", newline="\n", compresslevel=9) as handle:
        handle.write("\n".join(words))
