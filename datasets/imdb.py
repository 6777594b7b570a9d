"""IMDb movie reviews (Maas et al., 2011) in Keras' integer encoding, for chapter 11.

    from zoo.datasets import imdb
    train, validation = imdb.load(num_words=5000, skip_top=50, max_review_length=100, batch_size=128)
    (x_train, y_train), (x_valid, y_valid) = imdb.load_arrays(num_words=5000)
    imdb.decode(x_valid[0])             # back to words, as the book reads reviews
    x = imdb.encode_reviews(["A wonderful film."], max_review_length=400, num_words=5000)
    model.predict(x)                    # raw text scored as the model read its training reviews

The encoding is ``keras.datasets.imdb``'s: each word is its frequency rank in the word
index plus 3 (``index_from``), 1 marks the start of a review, 2 a word cut by
``num_words``/``skip_top`` and 0 is padding. Reviews are padded and truncated at the start
(``'pre'``), as the book does, so a long review keeps its ending.

Where the reviews come from (the order of ``zoo.datasets._sources``):

1. ``--data-dir``/``ZOO_DATA_DIR`` (also its ``imdb/`` subfolder), then the Keras cache:
   Keras' ``imdb.npz``; or the raw Large Movie Review Dataset (an ``aclImdb/`` folder or
   ``aclImdb_v1.tar.gz``), tokenised here into the same encoding with the word index;
2. tensorflow-datasets' ``imdb_reviews`` when it is already prepared in its data folder;
3. a download of Keras' ``imdb.npz`` (checksum-verified);
4. with ``source="auto"``: the bundled sample of 1,000 + 1,000 real reviews.

Tokenising raw text reproduces Keras' encoding: Keras' reviews were lower-cased and split
on whitespace after every character of ``!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~`` became a space
(apostrophes stay, and ``<br />`` becomes the token ``br``). On the 25,000 aclImdb training
reviews 99.9995% of tokens are found in Keras' word index (29 of 5.9 million are not, all
accented capitals lower-cased differently), and ``train/pos/576_10.txt`` encodes to the
218 indices of Keras' ``x_train[0]``. Words missing from the word index are dropped, as
Keras did for test words that never occurred in training. :func:`encode_reviews` takes a
new review through the same steps (the ones a model trained on aclImdb text learned from).

What is read is checked before it is used: Keras' reviews must be lists of integer word
indices with 0/1 labels, raw reviews UTF-8 text (not binary, not empty), word-index ranks
positive integers, and neither split empty; anything else is one line naming the file.
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import re
import tarfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from zoo.datasets._sources import (
    SAMPLES_DIR,
    DataInfo,
    DataSourceError,
    Loaded,
    download,
    find_file,
    keras_cache_dir,
    locate,
    read_error,
    resolve_data_dir,
)
from zoo.datasets._validate import class_labels, decode_text

NAME = "imdb"
START_CHAR, OOV_CHAR, INDEX_FROM = 1, 2, 3
PADDINGS = ("pre", "post")

# Keras' own files (keras.datasets.imdb).
NPZ_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz"
NPZ_SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json"
WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"  # keras.datasets.imdb.get_word_index's

NPZ_NAMES = ("imdb.npz",)
RAW_NAMES = ("aclImdb", "aclImdb_v1.tar.gz", "aclImdb_v1_train_test.tar.gz", "aclImdb_v1.tar")
WORD_INDEX_NAMES = ("imdb_word_index.json",)
SUBDIRS = ("", "imdb")

SAMPLE = "imdb_sample.npz"
SAMPLE_WORD_INDEX = "imdb_word_index.txt.gz"  # Keras' full word index: one word per line, in rank order

# The characters keras.preprocessing.text filtered out when the IMDb arrays were made.
FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_TO_SPACES = str.maketrans({character: " " for character in FILTERS})
_RAW_REVIEW = re.compile(r"(?:^|/)aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")


# ----------------------------------------------------------------------------- the word index

_WORD_INDEX_CACHE: dict[str, dict] = {}


def word_index(path=None, data_dir=None) -> dict:
    """Keras' word index ``{word: rank}`` (rank 1 = most frequent word).

    From ``path`` when given, else ``imdb_word_index.json`` in ``data_dir``/``ZOO_DATA_DIR``
    or the Keras cache, else the copy bundled with the sample (the same 88,584 words), else
    Keras' file downloaded into the Keras cache (never under ``ZOO_OFFLINE=1``).
    """
    if path is None:
        folder = resolve_data_dir(data_dir)
        path = (find_file(WORD_INDEX_NAMES, folder, SUBDIRS) or find_file(WORD_INDEX_NAMES, keras_cache_dir())
                or _bundled_word_index())
    path = Path(path)
    key = str(path.resolve()) if path.exists() else str(path)
    if key in _WORD_INDEX_CACHE:
        return _WORD_INDEX_CACHE[key]
    if not path.is_file():
        raise DataSourceError(f"word index {path} not found: provide Keras' imdb_word_index.json")
    try:
        if path.name.endswith(".txt.gz"):
            with gzip.open(path, "rt", encoding="utf-8", newline="\n") as handle:
                words = handle.read().split("\n")  # not splitlines(): some words hold \x85 or \x1c
            index = {word: rank for rank, word in enumerate(words, start=1)}
        else:
            with open(path, encoding="utf-8") as handle:
                index = json.load(handle)
        if not index or not isinstance(index, dict):
            raise ValueError("expected a non-empty {word: index} mapping")
    except (OSError, EOFError, zlib.error, ValueError, UnicodeDecodeError) as error:
        raise read_error(path, error) from None
    # Ranks are added to INDEX_FROM, so anything but a positive integer would collide with
    # the markers 0-2 or fail half-way through tokenising.
    bad = next(((word, rank) for word, rank in index.items()
                if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1), None)
    if bad is not None:
        raise DataSourceError(f"word index {path}: {bad[0]!r} has rank {bad[1]!r}; "
                              f"expected {{word: integer rank >= 1}}")
    _WORD_INDEX_CACHE[key] = index
    return index


def _bundled_word_index() -> Path:
    bundled = SAMPLES_DIR / SAMPLE_WORD_INDEX
    if bundled.is_file():
        return bundled
    # an install without the samples still scores text, once Keras' own file is at hand
    return download(WORD_INDEX_NAMES[0], WORD_INDEX_URL, file_hash=WORD_INDEX_MD5,
                    what=f"Keras' {WORD_INDEX_NAMES[0]}")


def tokenize(text: str) -> list[str]:
    """Keras' IMDb tokenisation: lower-case, filtered punctuation to spaces, split on whitespace."""
    return text.lower().translate(_TO_SPACES).split()


def encode(text: str, index: dict | None = None, num_words: int | None = None, skip_top: int = 0,
           start: bool = True) -> list[int]:
    """A raw review in Keras' encoding (words outside the index are dropped)."""
    index = word_index() if index is None else index
    sequence = ([START_CHAR] if start else []) + [index[w] + INDEX_FROM for w in tokenize(text) if w in index]
    return _limit([sequence], num_words, skip_top)[0]


def encode_reviews(texts, max_review_length: int, index: dict | None = None, num_words: int | None = None,
                   skip_top: int = 0, padding: str = "pre", truncating: str = "pre") -> np.ndarray:
    """Raw reviews as a sentiment model's input: ``int32`` ``(len(texts), max_review_length)``.

    The loader's steps for raw aclImdb text, so a model reads new reviews as it read the ones
    it learned from: :func:`tokenize` (lower-case, punctuation to spaces), Keras' word ranks
    plus 3 after the start marker 1 (words missing from ``index`` are dropped), 2 for a rank
    outside ``[skip_top, num_words)``, then :func:`pad`. Pass the settings the model was
    trained with (its card's ``hyperparameters``: ``n_unique_words`` is ``num_words``,
    ``n_words_to_skip`` is ``skip_top``); the book pads and truncates at the start.

        model = zoo.build_conv_sentiment(weights="imdb")
        x = imdb.encode_reviews(["A wonderful film."], max_review_length=400, num_words=5000)
        model.predict(x)  # the probability that each review is positive

    Args:
        texts: a list (or other iterable) of reviews, each a string; not one bare string.
        max_review_length: tokens per review, the model's input length.
        index: Keras' word index (default: :func:`word_index`).
        num_words, skip_top, padding, truncating: as in :func:`load_arrays`.
    """
    if isinstance(texts, (str, bytes)):
        raise ValueError("texts must be a list of reviews, not one string: pass [text]")
    if max_review_length is None:
        raise ValueError("max_review_length=None is invalid for encode_reviews(): a model reads a fixed length")
    _check(num_words, skip_top, max_review_length, padding, truncating, None)
    texts = list(texts)
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            raise ValueError(f"review {position} is {type(text).__name__}, not text")
    index = word_index() if index is None else index
    return pad([encode(text, index, num_words, skip_top) for text in texts], max_review_length, padding, truncating)


def decode(sequence, index: dict | None = None, padding: bool = False) -> str:
    """Indices back to words as the book prints them: START, UNK (2) and, if asked, PAD (0)."""
    index = word_index() if index is None else index
    words = _reverse_index(index)
    tokens = []
    for value in np.asarray(sequence).ravel().tolist():
        if value == 0:
            if padding:
                tokens.append("PAD")
        elif value == START_CHAR:
            tokens.append("START")
        elif value == OOV_CHAR:
            tokens.append("UNK")
        else:
            tokens.append(words.get(value - INDEX_FROM, "UNK"))
    return " ".join(tokens)


_REVERSE_CACHE: dict[int, dict] = {}


def _reverse_index(index: dict) -> dict:
    if id(index) not in _REVERSE_CACHE:
        _REVERSE_CACHE[id(index)] = {rank: word for word, rank in index.items()}
    return _REVERSE_CACHE[id(index)]


# ----------------------------------------------------------------------------- encodings on disk

def _limit(sequences, num_words, skip_top):
    """Keras' rule: an index outside ``[skip_top, num_words)`` becomes the unknown marker 2."""
    if not num_words and not skip_top:
        return sequences
    top = num_words or np.inf
    return [[w if skip_top <= w < top else OOV_CHAR for w in sequence] for sequence in sequences]


def _split(tokens, offsets):
    return [tokens[a:b].tolist() for a, b in zip(offsets[:-1], offsets[1:])]


def _joined(sequences):
    """Ragged sequences as one flat int32 array and offsets (how the sample is stored, no pickle)."""
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    tokens = np.fromiter((w for s in sequences for w in s), dtype=np.int32, count=int(offsets[-1]))
    return tokens, offsets


# What reading an npz, a tarball or a pickled array raises on a damaged or foreign file.
READ_ERRORS = (OSError, EOFError, zlib.error, zipfile.BadZipFile, tarfile.TarError, pickle.UnpicklingError,
               KeyError, ValueError, ImportError, AttributeError)


def _checked_labels(labels, count: int, where: str) -> np.ndarray:
    """0/1 labels, one per review."""
    labels = class_labels(labels, 2, where)
    if len(labels) != count:
        raise DataSourceError(f"{where} holds {len(labels)} labels for {count} reviews; expected one per review")
    return labels


def _read_sample(path: Path):
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


def _read_keras_npz(path: Path):
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


def _read_raw(path: Path, index: dict):
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


def _tfds_folder() -> Path | None:
    folder = Path(os.environ.get("TFDS_DATA_DIR", Path.home() / "tensorflow_datasets")).expanduser()
    return folder if (folder / "imdb_reviews").is_dir() else None


def _is_tfds(path: Path) -> bool:
    return path.is_dir() and path.name != "aclImdb" and (path / "imdb_reviews").is_dir()


def _read_tfds(folder: Path, index: dict):
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


def _find_local(folder):
    for place in (folder, keras_cache_dir()):
        found = find_file(NPZ_NAMES + RAW_NAMES, place, SUBDIRS if place is folder else ("",))
        if found is not None:
            return found
    return _tfds_folder()


def _fetch():
    return download("imdb.npz", NPZ_URL, file_hash=NPZ_SHA256, what="imdb.npz (or aclImdb_v1.tar.gz)")


# ----------------------------------------------------------------------------- public loaders

def _check(num_words, skip_top, max_review_length, padding, truncating, max_examples):
    if num_words is not None and (isinstance(num_words, bool) or not isinstance(num_words, int) or num_words < 1):
        raise ValueError(f"num_words={num_words!r} is invalid: expected None or an integer >= 1")
    if isinstance(skip_top, bool) or not isinstance(skip_top, int) or skip_top < 0:
        raise ValueError(f"skip_top={skip_top!r} is invalid: expected an integer >= 0")
    if num_words is not None and skip_top >= num_words:
        raise ValueError(f"skip_top={skip_top!r} is invalid: it must be below num_words={num_words}")
    if max_review_length is not None and (isinstance(max_review_length, bool)
                                          or not isinstance(max_review_length, int) or max_review_length < 1):
        raise ValueError(f"max_review_length={max_review_length!r} is invalid: expected None or an integer >= 1")
    for argument, value in (("padding", padding), ("truncating", truncating)):
        if value not in PADDINGS:
            raise ValueError(f"{argument}={value!r} is invalid: expected one of {list(PADDINGS)}")
    if max_examples is not None and (isinstance(max_examples, bool) or not isinstance(max_examples, int)
                                     or max_examples < 1):
        raise ValueError(f"max_examples={max_examples!r} is invalid: expected None or an integer >= 1")


def load_arrays(num_words=None, skip_top=0, max_review_length=None, padding="pre", truncating="pre",
                source="auto", data_dir=None, seed=113, max_examples=None, word_index_path=None):
    """``((x_train, y_train), (x_valid, y_valid))`` as ``keras.datasets.imdb.load_data`` gives them.

    Args:
        num_words: Keras' rule: an index ``>= num_words`` (a rarer word) becomes 2, so the
            indices stay below ``num_words`` (the book's ``n_unique_words``).
        skip_top: indices below ``skip_top`` (the most frequent words, and the start marker)
            become 2 (the book's ``n_words_to_skip``).
        max_review_length: None for ragged object arrays of lists (as Keras returns); an
            integer for an ``int32`` array ``(reviews, max_review_length)``, padded and
            truncated as ``padding``/``truncating`` say (the book: ``'pre'`` for both).
        source, data_dir: where the reviews come from (see the module docstring).
        seed: the shuffle of each split (Keras' default 113).
        max_examples: keep only the first reviews of each split after the shuffle (quick runs).
        word_index_path: Keras' ``imdb_word_index.json`` for tokenising raw reviews.

    The result also carries ``.info``, a :class:`DataInfo` saying where the data came from.
    """
    _check(num_words, skip_top, max_review_length, padding, truncating, max_examples)
    kind, path = locate(NAME, source, data_dir, _find_local, _fetch, sample=SAMPLE,
                        wanted="imdb.npz, aclImdb_v1.tar.gz or an aclImdb/ folder")
    notes = {"encoding": "keras.datasets.imdb", "num_words": num_words, "skip_top": skip_top,
             "max_review_length": max_review_length, "padding": padding, "truncating": truncating}
    if kind == "sample":
        parts = _read_sample(path)
        notes["sample"] = "1,000 + 1,000 real aclImdb reviews, tokenised into Keras' encoding"
    elif path.name.endswith(".npz"):
        parts = _read_keras_npz(path)
    else:
        index = word_index(word_index_path, data_dir)
        parts = _read_tfds(path, index) if _is_tfds(path) else _read_raw(path, index)
        notes["tokenised"] = "raw text into Keras' encoding with its word index"
    for (sequences, _), part in zip(parts, ("training", "validation (test)")):
        if not sequences:
            raise DataSourceError(f"{path} holds no {part} reviews")

    rng = np.random.RandomState(seed)  # Keras shuffles train, then test, with one generator
    arrays = []
    for sequences, labels in parts:
        order = rng.permutation(len(sequences))
        if max_examples is not None:
            order = order[:max_examples]
        sequences = _limit([sequences[i] for i in order], num_words, skip_top)
        labels = labels[order]
        if max_review_length is None:
            x = np.empty(len(sequences), dtype=object)
            x[:] = sequences
        else:
            x = pad(sequences, max_review_length, padding, truncating)
        arrays.append((x, labels))
    info = DataInfo(NAME, kind, str(path), len(arrays[0][1]), len(arrays[1][1]), notes)
    return Loaded(arrays[0], arrays[1], info)


def pad(sequences, max_review_length: int, padding: str = "pre", truncating: str = "pre") -> np.ndarray:
    """``keras.utils.pad_sequences`` with the book's defaults (both at the start), in NumPy."""
    padded = np.zeros((len(sequences), max_review_length), dtype=np.int32)
    for row, sequence in zip(padded, sequences):
        kept = sequence[-max_review_length:] if truncating == "pre" else sequence[:max_review_length]
        if kept:
            if padding == "pre":
                row[-len(kept):] = kept
            else:
                row[:len(kept)] = kept
    return padded


def load(batch_size=128, num_words=None, skip_top=0, max_review_length=100, padding="pre", truncating="pre",
         source="auto", data_dir=None, seed=113, shuffle=True, max_examples=None, word_index_path=None):
    """``(train, validation)`` batches of ``(reviews, labels)``: prefetched ``tf.data`` pipelines,
    or without TensorFlow ``keras.utils.PyDataset``s giving the same batches.

    Reviews are ``int32`` ``(batch, max_review_length)``; labels ``float32`` 0/1. The training
    batches are reshuffled every pass (with ``seed``); validation keeps its order, so
    predictions line up with ``load_arrays`` and with the reviews for ``decode``.
    The other arguments are :func:`load_arrays`'.
    """
    from zoo.datasets import batches

    batches.check_batch_size(batch_size)
    if max_review_length is None:
        raise ValueError("max_review_length=None is invalid for load(): batches need a fixed length")
    loaded = load_arrays(num_words, skip_top, max_review_length, padding, truncating, source, data_dir, seed,
                         max_examples, word_index_path)
    (x_train, y_train), (x_valid, y_valid) = loaded

    def pipeline(x, y, training):
        y = y.astype(np.float32)
        order = batches.Order(len(x), batch_size, shuffle=training and shuffle, seed=seed)
        if not batches.tensorflow_available():
            return batches.Batches(order, lambda index: (x[index], y[index]))
        import tensorflow as tf

        reviews, labels = tf.constant(x), tf.constant(y)
        return batches.tf_batches(order, lambda index: (tf.gather(reviews, index), tf.gather(labels, index)))

    return Loaded(pipeline(x_train, y_train, True), pipeline(x_valid, y_valid, False), loaded.info)


def _write_sample(raw, folder, n_per_split=1000, seed=0, index_path=None) -> None:
    """How the bundled sample was made: balanced random reviews of each aclImdb split, encoded.

    ``_write_sample("aclImdb_v1.tar.gz", "datasets/samples", index_path="imdb_word_index.json")``
    """
    index = word_index(index_path)
    folder = Path(folder)
    rng = np.random.RandomState(seed)
    arrays = {}
    for part, (sequences, labels) in zip(("train", "test"), _read_raw(Path(raw), index)):
        chosen = np.concatenate([rng.choice(np.flatnonzero(labels == label), n_per_split // 2, replace=False)
                                 for label in (0, 1)])
        chosen = chosen[rng.permutation(len(chosen))]
        tokens, offsets = _joined([sequences[i] for i in chosen])
        arrays.update({f"x_{part}_tokens": tokens, f"x_{part}_offsets": offsets, f"y_{part}": labels[chosen].astype(np.int8)})
    np.savez_compressed(folder / SAMPLE, **arrays)
    words = [word for word, _ in sorted(index.items(), key=lambda item: item[1])]
    with gzip.open(folder / SAMPLE_WORD_INDEX, "wt", encoding="utf-8", newline="\n", compresslevel=9) as handle:
        handle.write("\n".join(words))
