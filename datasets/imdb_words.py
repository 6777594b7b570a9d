"""IMDb text in Keras' integer encoding and back: the word index, tokenising, padding.

    from zoo.datasets import imdb      # these names are imdb's too
    x = imdb.encode_reviews(["A wonderful film."], max_review_length=400, num_words=5000)
    imdb.decode(x[0])                 # back to words, as the book reads reviews

The encoding is ``keras.datasets.imdb``'s: each word is its frequency rank in the word
index plus 3 (``index_from``), 1 marks the start of a review, 2 a word cut by
``num_words``/``skip_top`` and 0 is padding. Reviews are padded and truncated at the start
(``'pre'``), as the book does, so a long review keeps its ending.

Tokenising raw text reproduces Keras' encoding: Keras' reviews were lower-cased and split
on whitespace after every character of ``!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~`` became a space
(apostrophes stay, and ``<br />`` becomes the token ``br``). On the 25,000 aclImdb training
reviews 99.9995% of tokens are found in Keras' word index (29 of 5.9 million are not, all
accented capitals lower-cased differently), and ``train/pos/576_10.txt`` encodes to the
218 indices of Keras' ``x_train[0]``. Words missing from the word index are dropped, as
Keras did for test words that never occurred in training. :func:`encode_reviews` takes a
new review through the same steps (the ones a model trained on aclImdb text learned from).

The loaders (``zoo.datasets.imdb``) encode raw reviews here and check their settings with
:func:`check_settings`, so a model scores new text exactly as it read its training reviews.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from zoo.datasets._sources import (
    SAMPLES_DIR, DataSourceError, download, find_file, keras_cache_dir, read_error, resolve_data_dir,
)
from zoo.errors import UsageError
from zoo.files import read_json

START_CHAR, OOV_CHAR, INDEX_FROM = 1, 2, 3
PADDINGS = ("pre", "post")

# Keras' own word index (keras.datasets.imdb.get_word_index's file and checksum).
WORD_INDEX_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json"
WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"
WORD_INDEX_NAMES = ("imdb_word_index.json",)
SUBDIRS = ("", "imdb")  # where a --data-dir holds IMDb files: itself or its imdb/ subfolder
SAMPLE_WORD_INDEX = "imdb_word_index.txt.gz"  # Keras' full word index: one word per line, in rank order

# The characters keras.preprocessing.text filtered out when the IMDb arrays were made.
FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_TO_SPACES = str.maketrans({character: " " for character in FILTERS})


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
    index = _read_ranks_txt_gz(path) if path.name.endswith(".txt.gz") else _read_json_index(path)
    if not index:
        raise DataSourceError(f"word index {path} is empty: expected {{word: integer rank >= 1}}")
    # Ranks are added to INDEX_FROM, so anything but a positive integer would collide with
    # the markers 0-2 or fail half-way through tokenising.
    bad = next(((word, rank) for word, rank in index.items()
                if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1), None)
    if bad is not None:
        raise DataSourceError(f"word index {path}: {bad[0]!r} has rank {bad[1]!r}; "
                              f"expected {{word: integer rank >= 1}}")
    _WORD_INDEX_CACHE[key] = index
    return index


def _read_json_index(path: Path) -> dict:
    """Keras' ``imdb_word_index.json``; a damaged file stays a data error (the loaders' callers
    catch :class:`DataSourceError`), in zoo.files' one line."""
    try:
        return read_json(path, what="a {word: rank} mapping such as Keras' imdb_word_index.json",
                         advice="provide Keras' imdb_word_index.json")
    except UsageError as error:
        raise DataSourceError(str(error)) from None


def _read_ranks_txt_gz(path: Path) -> dict:
    """The bundled copy: one word a line, in rank order."""
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="\n") as handle:
            words = handle.read().split("\n")  # not splitlines(): some words hold \x85 or \x1c
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
        raise read_error(path, error) from None
    return {word: rank for rank, word in enumerate(words, start=1)}


def _bundled_word_index() -> Path:
    bundled = SAMPLES_DIR / SAMPLE_WORD_INDEX
    if bundled.is_file():
        return bundled
    # an install without the samples still scores text, once Keras' own file is at hand
    return download(WORD_INDEX_NAMES[0], WORD_INDEX_URL, file_hash=WORD_INDEX_MD5,
                    what=f"Keras' {WORD_INDEX_NAMES[0]}")


# ----------------------------------------------------------------------------- text to indices and back

def tokenize(text: str) -> list[str]:
    """Keras' IMDb tokenisation: lower-case, filtered punctuation to spaces, split on whitespace."""
    return text.lower().translate(_TO_SPACES).split()


def encode(text: str, index: dict | None = None, num_words: int | None = None, skip_top: int = 0,
           start: bool = True) -> list[int]:
    """A raw review in Keras' encoding (words outside the index are dropped)."""
    index = word_index() if index is None else index
    sequence = ([START_CHAR] if start else []) + [index[w] + INDEX_FROM for w in tokenize(text) if w in index]
    return limit([sequence], num_words, skip_top)[0]


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
        num_words, skip_top, padding, truncating: as in ``imdb.load_arrays``.
    """
    if isinstance(texts, (str, bytes)):
        raise ValueError("texts must be a list of reviews, not one string: pass [text]")
    if max_review_length is None:
        raise ValueError("max_review_length=None is invalid for encode_reviews(): a model reads a fixed length")
    check_settings(num_words, skip_top, max_review_length, padding, truncating)
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


# ----------------------------------------------------------------------------- the settings of an encoding

def limit(sequences, num_words, skip_top):
    """Keras' rule: an index outside ``[skip_top, num_words)`` becomes the unknown marker 2."""
    if not num_words and not skip_top:
        return sequences
    top = num_words or np.inf
    return [[w if skip_top <= w < top else OOV_CHAR for w in sequence] for sequence in sequences]


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


def check_settings(num_words, skip_top, max_review_length, padding, truncating, max_examples=None) -> None:
    """A ``ValueError`` naming the first setting of an encoding (or of a load) that is invalid."""
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
