"""Chapter 11, natural language: the nine IMDb review sentiment classifiers.

Every builder takes a batch of integer-encoded reviews of ``max_review_length`` tokens
(Keras' IMDb encoding: 0 = padding, 1 = start, 2 = unknown, words from 3; see
``zoo.datasets.imdb``), embeds them in ``n_dim`` dimensions, and ends in one sigmoid unit:
the probability that the review is positive. The defaults are the book's notebooks, with
the book's hyperparameter names as keyword arguments; parameter counts are in ``zoo.recipes``.

The models are uncompiled; ``zoo.recipes`` holds the book's binary cross-entropy and Adam.
"""

from __future__ import annotations

import keras
from keras import layers

from zoo.common import check_positive_int, check_rate, classifier, load_weights
from zoo.layers import LSTM  # Keras' LSTM; PyTorch's own recurrence on its CPU


def _check(max_review_length, n_unique_words, n_dim, rates=(), sizes=()):
    check_positive_int("n_unique_words", n_unique_words)
    check_positive_int("max_review_length", max_review_length)
    check_positive_int("n_dim", n_dim)
    for argument, value in sizes:
        check_positive_int(argument, value)
    for argument, value in rates:
        check_rate(argument, value)


def _check_fits(max_review_length, needed: int, why: str):
    if max_review_length < needed:
        raise ValueError(
            f"max_review_length={max_review_length!r} is too short for {why}: expected at least {needed}"
        )


def _embedded(name, max_review_length, n_unique_words, n_dim):
    """A Sequential model that starts with the reviews and their word embedding."""
    model = keras.Sequential(name=name)
    model.add(keras.Input(shape=(max_review_length,), dtype="int32", name="review"))
    model.add(layers.Embedding(n_unique_words, n_dim, name="embedding"))
    return model


def build_dense_sentiment(
    n_unique_words=5000,
    max_review_length=100,
    n_dim=64,
    n_dense=64,
    dropout=0.5,
    weights=None,
    name="dense_sentiment",
):
    """The book's dense sentiment classifier: flattened embeddings into one hidden layer.

    729,729 parameters at the defaults (book: ROC AUC 92.85 after 4 epochs).

    Args:
        n_unique_words: vocabulary size (the loader's ``num_words``).
        max_review_length: tokens per (padded) review.
        n_dim: word-vector dimensions.
        n_dense, dropout: the hidden layer's units and the dropout rate after it.
        weights: None, or a ``.weights.h5``/``.keras`` file to load.
        name: the model's name.
    """
    _check(max_review_length, n_unique_words, n_dim, rates=[("dropout", dropout)], sizes=[("n_dense", n_dense)])
    model = _embedded(name, max_review_length, n_unique_words, n_dim)
    model.add(layers.Flatten(name="flatten"))
    # dense hidden layer:
    model.add(layers.Dense(n_dense, activation="relu", name="dense"))
    model.add(layers.Dropout(dropout, name="dropout"))
    # output layer:
    model.add(classifier(1, "sigmoid"))
    return load_weights(model, weights, "dense_sentiment")


def build_conv_sentiment(
    n_unique_words=5000,
    max_review_length=400,
    n_dim=64,
    drop_embed=0.2,
    n_conv=256,
    k_conv=3,
    n_dense=256,
    dropout=0.2,
    weights=None,
    name="conv_sentiment",
):
    """The book's convolutional sentiment classifier (Kim, 2014 style, one filter width).

    435,457 parameters at the defaults (book: ROC AUC 96.12 after 4 epochs).

    Args:
        n_unique_words, max_review_length, n_dim: vocabulary, review length, embedding size.
        drop_embed: spatial dropout over whole embedding channels.
        n_conv, k_conv: filters and kernel width of the convolution.
        n_dense, dropout: the dense hidden layer and the dropout after it.
        weights, name: as for every builder.
    """
    _check(max_review_length, n_unique_words, n_dim,
           rates=[("drop_embed", drop_embed), ("dropout", dropout)],
           sizes=[("n_conv", n_conv), ("k_conv", k_conv), ("n_dense", n_dense)])
    _check_fits(max_review_length, k_conv, f"a convolution of width k_conv={k_conv}")
    model = _embedded(name, max_review_length, n_unique_words, n_dim)
    model.add(layers.SpatialDropout1D(drop_embed, name="drop_embed"))
    # convolutional layer:
    model.add(layers.Conv1D(n_conv, k_conv, activation="relu", name="conv"))
    model.add(layers.GlobalMaxPooling1D(name="global_max_pool"))
    # dense layer:
    model.add(layers.Dense(n_dense, activation="relu", name="dense"))
    model.add(layers.Dropout(dropout, name="dropout"))
    # output layer:
    model.add(classifier(1, "sigmoid"))
    return load_weights(model, weights, "conv_sentiment")


def build_rnn_sentiment(
    n_unique_words=10000,
    max_review_length=100,
    n_dim=64,
    drop_embed=0.2,
    n_rnn=256,
    drop_rnn=0.2,
    weights=None,
    name="rnn_sentiment",
):
    """The book's simple recurrent network: one SimpleRNN layer read to the last token.

    722,433 parameters at the defaults (book: ROC AUC 84.94 after 16 epochs).
    """
    _check(max_review_length, n_unique_words, n_dim,
           rates=[("drop_embed", drop_embed), ("drop_rnn", drop_rnn)], sizes=[("n_rnn", n_rnn)])
    model = _embedded(name, max_review_length, n_unique_words, n_dim)
    model.add(layers.SpatialDropout1D(drop_embed, name="drop_embed"))
    # recurrent layer:
    model.add(layers.SimpleRNN(n_rnn, dropout=drop_rnn, name="rnn"))
    # output layer:
    model.add(classifier(1, "sigmoid"))
    return load_weights(model, weights, "rnn_sentiment")


def build_lstm_sentiment(
    n_unique_words=10000,
    max_review_length=100,
    n_dim=64,
    drop_embed=0.2,
    n_lstm=256,
    drop_lstm=0.2,
    weights=None,
    name="lstm_sentiment",
):
    """The book's LSTM classifier (Hochreiter and Schmidhuber, 1997).

    968,961 parameters at the defaults (book: ROC AUC 92.76 after 4 epochs).
    """
    _check(max_review_length, n_unique_words, n_dim,
           rates=[("drop_embed", drop_embed), ("drop_lstm", drop_lstm)], sizes=[("n_lstm", n_lstm)])
    model = _embedded(name, max_review_length, n_unique_words, n_dim)
    model.add(layers.SpatialDropout1D(drop_embed, name="drop_embed"))
    # LSTM layer:
    model.add(LSTM(n_lstm, dropout=drop_lstm, name="lstm"))
    # output layer:
    model.add(classifier(1, "sigmoid"))
    return load_weights(model, weights, "lstm_sentiment")


def build_bilstm_sentiment(
    n_unique_words=10000,
    max_review_length=200,
    n_dim=64,
    drop_embed=0.2,
    n_lstm=256,
    drop_lstm=0.2,
    weights=None,
    name="bilstm_sentiment",
):
    """The book's bidirectional LSTM: the review read forwards and backwards.

    1,297,921 parameters at the defaults (book: ROC AUC 93.47 after 6 epochs).
    """
    _check(max_review_length, n_unique_words, n_dim,
           rates=[("drop_embed", drop_embed), ("drop_lstm", drop_lstm)], sizes=[("n_lstm", n_lstm)])
    model = _embedded(name, max_review_length, n_unique_words, n_dim)
    model.add(layers.SpatialDropout1D(drop_embed, name="drop_embed"))
    # bidirectional LSTM layer:
    model.add(layers.Bidirectional(LSTM(n_lstm, dropout=drop_lstm, name="lstm"), name="bilstm"))
    # output layer:
    model.add(classifier(1, "sigmoid"))
    return load_weights(model, weights, "bilstm_sentiment")


def build_stacked_bilstm_sentiment(
    n_unique_words=10000,
    max_review_length=200,
    n_dim=64,
    drop_embed=0.2,
    n_lstm_1=64,
    n_lstm_2=64,
    drop_lstm=0.2,
    weights=None,
    name="stacked_bilstm_sentiment",
):
    """The book's two stacked bidirectional LSTM layers.

    804,993 parameters at the defaults (book: ROC AUC 94.87 after 4 epochs).
    """
    _check(max_review_length, n_unique_words, n_dim,
           rates=[("drop_embed", drop_embed), ("drop_lstm", drop_lstm)],
           sizes=[("n_lstm_1", n_lstm_1), ("n_lstm_2", n_lstm_2)])
    model = _embedded(name, max_review_length, n_unique_words, n_dim)
    model.add(layers.SpatialDropout1D(drop_embed, name="drop_embed"))
    # two bidirectional LSTM layers, the first passing on its whole sequence:
    model.add(layers.Bidirectional(
        LSTM(n_lstm_1, dropout=drop_lstm, return_sequences=True, name="lstm_1"), name="bilstm_1"))
    model.add(layers.Bidirectional(LSTM(n_lstm_2, dropout=drop_lstm, name="lstm_2"), name="bilstm_2"))
    # output layer:
    model.add(classifier(1, "sigmoid"))
    return load_weights(model, weights, "stacked_bilstm_sentiment")


def build_conv_lstm_sentiment(
    n_unique_words=10000,
    max_review_length=200,
    n_dim=64,
    drop_embed=0.2,
    n_conv=64,
    k_conv=3,
    mp_size=4,
    n_lstm=64,
    drop_lstm=0.2,
    weights=None,
    name="conv_lstm_sentiment",
):
    """The book's convolutional-LSTM stack: a pooled convolution feeding a bidirectional LSTM.

    718,529 parameters at the defaults (book: ROC AUC 94.46 after 4 epochs).
    """
    _check(max_review_length, n_unique_words, n_dim,
           rates=[("drop_embed", drop_embed), ("drop_lstm", drop_lstm)],
           sizes=[("n_conv", n_conv), ("k_conv", k_conv), ("mp_size", mp_size), ("n_lstm", n_lstm)])
    _check_fits(max_review_length, k_conv - 1 + mp_size,
                f"a convolution of width k_conv={k_conv} and pooling of mp_size={mp_size}")
    model = _embedded(name, max_review_length, n_unique_words, n_dim)
    model.add(layers.SpatialDropout1D(drop_embed, name="drop_embed"))
    # convolution and pooling:
    model.add(layers.Conv1D(n_conv, k_conv, activation="relu", name="conv"))
    model.add(layers.MaxPooling1D(mp_size, name="max_pool"))
    # bidirectional LSTM layer:
    model.add(layers.Bidirectional(LSTM(n_lstm, dropout=drop_lstm, name="lstm"), name="bilstm"))
    # output layer:
    model.add(classifier(1, "sigmoid"))
    return load_weights(model, weights, "conv_lstm_sentiment")


def build_gru_sentiment(
    n_unique_words=10000,
    max_review_length=100,
    n_dim=64,
    drop_embed=0.2,
    n_gru=256,
    drop_gru=0.2,
    reset_after=False,
    weights=None,
    name="gru_sentiment",
):
    """The book's GRU classifier (Cho et al., 2014).

    886,785 parameters at the defaults, as the book's notebook prints (book: ROC AUC 93.01
    after 4 epochs). The book's Keras 2 GRU applied the reset gate before the recurrent
    matrix (``reset_after=False``), the default here. ``reset_after=True`` is Keras 3's default
    and the form cuDNN's fused kernel runs, the fast path on a GPU: it keeps a second recurrent
    bias, so 887,553 parameters, and weights of one form do not load into the other.
    """
    _check(max_review_length, n_unique_words, n_dim,
           rates=[("drop_embed", drop_embed), ("drop_gru", drop_gru)], sizes=[("n_gru", n_gru)])
    model = _embedded(name, max_review_length, n_unique_words, n_dim)
    model.add(layers.SpatialDropout1D(drop_embed, name="drop_embed"))
    # GRU layer:
    model.add(layers.GRU(n_gru, dropout=drop_gru, reset_after=reset_after, name="gru"))
    # output layer:
    model.add(classifier(1, "sigmoid"))
    return load_weights(model, weights, "gru_sentiment")


def build_multi_convnet_sentiment(
    n_unique_words=5000,
    max_review_length=400,
    n_dim=64,
    drop_embed=0.2,
    n_conv_1=256,
    n_conv_2=256,
    n_conv_3=256,
    k_conv_1=3,
    k_conv_2=2,
    k_conv_3=4,
    n_dense=256,
    dropout=0.2,
    weights=None,
    name="multi_convnet_sentiment",
):
    """The book's multi-ConvNet (functional API): three parallel convolutional streams.

    Each stream is a convolution of its own width followed by global max-pooling; their
    features are concatenated into two dense layers. 681,601 parameters at the defaults
    (book: ROC AUC 96.18 after 4 epochs).
    """
    _check(max_review_length, n_unique_words, n_dim,
           rates=[("drop_embed", drop_embed), ("dropout", dropout)],
           sizes=[("n_conv_1", n_conv_1), ("n_conv_2", n_conv_2), ("n_conv_3", n_conv_3),
                  ("k_conv_1", k_conv_1), ("k_conv_2", k_conv_2), ("k_conv_3", k_conv_3), ("n_dense", n_dense)])
    _check_fits(max_review_length, max(k_conv_1, k_conv_2, k_conv_3), "the widest convolution")

    input_layer = keras.Input(shape=(max_review_length,), dtype="int32", name="review")
    embedding_layer = layers.Embedding(n_unique_words, n_dim, name="embedding")(input_layer)
    drop_embed_layer = layers.SpatialDropout1D(drop_embed, name="drop_embed")(embedding_layer)

    # three parallel streams of convolution and global max-pooling:
    conv_1 = layers.Conv1D(n_conv_1, k_conv_1, activation="relu", name="conv_1")(drop_embed_layer)
    maxp_1 = layers.GlobalMaxPooling1D(name="maxp_1")(conv_1)
    conv_2 = layers.Conv1D(n_conv_2, k_conv_2, activation="relu", name="conv_2")(drop_embed_layer)
    maxp_2 = layers.GlobalMaxPooling1D(name="maxp_2")(conv_2)
    conv_3 = layers.Conv1D(n_conv_3, k_conv_3, activation="relu", name="conv_3")(drop_embed_layer)
    maxp_3 = layers.GlobalMaxPooling1D(name="maxp_3")(conv_3)
    concat = layers.concatenate([maxp_1, maxp_2, maxp_3], name="concat")

    # two dense hidden layers:
    dense_layer = layers.Dense(n_dense, activation="relu", name="dense")(concat)
    drop_dense_layer = layers.Dropout(dropout, name="drop_dense")(dense_layer)
    dense_2 = layers.Dense(int(n_dense / 4), activation="relu", name="dense_2")(drop_dense_layer)
    dropout_2 = layers.Dropout(dropout, name="drop_dense_2")(dense_2)

    # output layer:
    predictions = classifier(1, "sigmoid")(dropout_2)
    return load_weights(keras.Model(input_layer, predictions, name=name), weights, "multi_convnet_sentiment")


# The script's --arch names, in book order, with the builder each one uses.
ARCHITECTURES = {
    "dense": build_dense_sentiment,
    "conv": build_conv_sentiment,
    "rnn": build_rnn_sentiment,
    "lstm": build_lstm_sentiment,
    "bilstm": build_bilstm_sentiment,
    "stacked_bilstm": build_stacked_bilstm_sentiment,
    "conv_lstm": build_conv_lstm_sentiment,
    "gru": build_gru_sentiment,
    "multiconv": build_multi_convnet_sentiment,
}

# --arch -> the model's name in the zoo (its builder and recipe)
MODELS = {arch: builder.__name__.removeprefix("build_") for arch, builder in ARCHITECTURES.items()}
