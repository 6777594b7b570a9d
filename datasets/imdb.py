"""IMDb movie reviews (Maas et al., 2011) in Keras' integer encoding, for chapter 11.

    from zoo.datasets import imdb
    train, validation = imdb.load(num_words=5000, skip_top=50, max_review_length=100, batch_size=128)
    (x_train, y_train), (x_valid, y_valid) = imdb.load_arrays(num_words=5000)
    imdb.decode(x_valid[0])             # back to words, as the book reads reviews
    x = imdb.encode_reviews(["A wonderful film."], max_review_length=400, num_words=5000)
    model.predict(x)                    # raw text scored as the model read its training reviews

This module holds the loaders; the encoding (the word index, :func:`encode`,
:func:`encode_reviews`, :func:`decode`, :func:`pad`, ``START_CHAR``...) lives in
``zoo.datasets.imdb_words`` and the readers of each file format in ``zoo.datasets.imdb_files``,
and their names are importable from here too. The encoding is ``keras.datasets.imdb``'s: each
word is its frequency rank in the word index plus 3 (``index_from``), 1 marks the start of a
review, 2 a word cut by ``num_words``/``skip_top`` and 0 is padding; reviews are padded and
truncated at the start (``'pre'``), as the book does, so a long review keeps its ending.

Where the reviews come from (the order of ``zoo.datasets._sources``):

1. ``--data-dir``/``ZOO_DATA_DIR`` (also its ``imdb/`` subfolder), then the Keras cache:
   Keras' ``imdb.npz``; or the raw Large Movie Review Dataset (an ``aclImdb/`` folder or
   ``aclImdb_v1.tar.gz``), tokenised into the same encoding with the word index;
2. tensorflow-datasets' ``imdb_reviews`` when it is already prepared in its data folder;
3. a download of Keras' ``imdb.npz`` (checksum-verified);
4. with ``source="auto"``: the bundled sample of 1,000 + 1,000 real reviews.

What is read is checked before it is used (see ``zoo.datasets.imdb_files``; word-index ranks
must be positive integers); anything else is one line naming the file.
"""

from __future__ import annotations

import numpy as np

from zoo.datasets._sources import DataInfo, DataSourceError, Loaded, download, find_file, keras_cache_dir, locate
from zoo.datasets.imdb_files import (
    READ_ERRORS, SAMPLE, is_tfds, read_keras_npz, read_raw, read_sample, read_tfds, tfds_folder, write_sample,
)
from zoo.datasets.imdb_words import (  # the encoding, importable from here as the book's code does
    FILTERS, INDEX_FROM, OOV_CHAR, PADDINGS, SAMPLE_WORD_INDEX, START_CHAR, SUBDIRS, WORD_INDEX_MD5,
    WORD_INDEX_NAMES, WORD_INDEX_URL, check_settings, decode, encode, encode_reviews, limit, pad, tokenize,
    word_index,
)

# the loaders' own names and those of the modules they use, as one interface
__all__ = ["FILTERS", "INDEX_FROM", "NAME", "NPZ_NAMES", "NPZ_SHA256", "NPZ_URL", "OOV_CHAR", "PADDINGS", "RAW_NAMES",
           "READ_ERRORS", "SAMPLE", "SAMPLE_WORD_INDEX", "START_CHAR", "SUBDIRS", "WORD_INDEX_MD5", "WORD_INDEX_NAMES",
           "WORD_INDEX_URL", "decode", "encode", "encode_reviews", "load", "load_arrays", "pad", "tokenize",
           "word_index", "write_sample"]

NAME = "imdb"

# Keras' own file (keras.datasets.imdb).
NPZ_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz"
NPZ_SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
NPZ_NAMES = ("imdb.npz",)
RAW_NAMES = ("aclImdb", "aclImdb_v1.tar.gz", "aclImdb_v1_train_test.tar.gz", "aclImdb_v1.tar")


def _find_local(folder):
    for place in (folder, keras_cache_dir()):
        found = find_file(NPZ_NAMES + RAW_NAMES, place, SUBDIRS if place is folder else ("",))
        if found is not None:
            return found
    return tfds_folder()


def _fetch():
    return download("imdb.npz", NPZ_URL, file_hash=NPZ_SHA256, what="imdb.npz (or aclImdb_v1.tar.gz)")


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
    check_settings(num_words, skip_top, max_review_length, padding, truncating, max_examples)
    kind, path = locate(NAME, source, data_dir, _find_local, _fetch, sample=SAMPLE,
                        wanted="imdb.npz, aclImdb_v1.tar.gz or an aclImdb/ folder")
    notes = {"encoding": "keras.datasets.imdb", "num_words": num_words, "skip_top": skip_top,
             "max_review_length": max_review_length, "padding": padding, "truncating": truncating}
    if kind == "sample":
        parts = read_sample(path)
        notes["sample"] = "1,000 + 1,000 real aclImdb reviews, tokenised into Keras' encoding"
    elif path.name.endswith(".npz"):
        parts = read_keras_npz(path)
    else:
        index = word_index(word_index_path, data_dir)
        parts = read_tfds(path, index) if is_tfds(path) else read_raw(path, index)
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
        sequences = limit([sequences[i] for i in order], num_words, skip_top)
        labels = labels[order]
        if max_review_length is None:
            x = np.empty(len(sequences), dtype=object)
            x[:] = sequences
        else:
            x = pad(sequences, max_review_length, padding, truncating)
        arrays.append((x, labels))
    info = DataInfo(NAME, kind, str(path), len(arrays[0][1]), len(arrays[1][1]), notes)
    return Loaded(arrays[0], arrays[1], info)


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
