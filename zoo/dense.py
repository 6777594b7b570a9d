"""Part II: the dense networks of chapters 5, 8 and 9.

The shallow, intermediate and deep nets classify flattened MNIST digits (784 inputs); the
regression net predicts Boston house prices from 13 features. Every builder takes
``weights``: None, or a ``.weights.h5``/``.keras`` file saved from the same model.
"""

from __future__ import annotations

import keras
from keras import layers

from zoo.common import check_positive_int, check_rate, classifier, load_weights


def _inputs(n_inputs: int, name: str = "features"):
    return keras.Input(shape=(check_positive_int("n_inputs", n_inputs),), name=name)


def build_shallow_net(n_inputs=784, num_classes=10, n_dense=64, activation="sigmoid", weights=None,
                      name="shallow_net"):
    """Chapter 5's shallow net: one sigmoid hidden layer of 64 units (50,890 parameters)."""
    check_positive_int("n_dense", n_dense)
    check_positive_int("num_classes", num_classes)
    inputs = _inputs(n_inputs)
    x = layers.Dense(n_dense, activation=activation, name="hidden")(inputs)
    outputs = classifier(num_classes)(x)
    return load_weights(keras.Model(inputs, outputs, name=name), weights, "shallow_net")


def build_intermediate_net(n_inputs=784, num_classes=10, n_dense=64, n_hidden=2, weights=None,
                           name="intermediate_net"):
    """Chapter 8's intermediate net: two ReLU hidden layers of 64 units (55,050 parameters)."""
    check_positive_int("n_dense", n_dense)
    check_positive_int("n_hidden", n_hidden)
    check_positive_int("num_classes", num_classes)
    inputs = _inputs(n_inputs)
    x = inputs
    for index in range(1, n_hidden + 1):
        x = layers.Dense(n_dense, activation="relu", name=f"hidden{index}")(x)
    outputs = classifier(num_classes)(x)
    return load_weights(keras.Model(inputs, outputs, name=name), weights, "intermediate_net")


def build_deep_net(n_inputs=784, num_classes=10, n_dense=64, n_hidden=3, dropout=0.2, weights=None,
                   name="deep_net"):
    """Chapter 9's deep net: three ReLU layers of 64 units, each batch-normalised, dropout
    after the third (59,978 parameters)."""
    check_positive_int("n_dense", n_dense)
    check_positive_int("n_hidden", n_hidden)
    check_positive_int("num_classes", num_classes)
    check_rate("dropout", dropout)
    inputs = _inputs(n_inputs)
    x = inputs
    for index in range(1, n_hidden + 1):
        x = layers.Dense(n_dense, activation="relu", name=f"hidden{index}")(x)
        x = layers.BatchNormalization(name=f"hidden{index}_bn")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = classifier(num_classes)(x)
    return load_weights(keras.Model(inputs, outputs, name=name), weights, "deep_net")


def build_regression_net(n_inputs=13, n_dense_1=32, n_dense_2=16, dropout=0.2, weights=None,
                         name="regression_net"):
    """Chapter 9's Boston-housing regression net (1,185 parameters): two batch-normalised
    ReLU layers, dropout, and one linear output (the price in $1000s)."""
    check_positive_int("n_dense_1", n_dense_1)
    check_positive_int("n_dense_2", n_dense_2)
    check_rate("dropout", dropout)
    inputs = _inputs(n_inputs)
    x = layers.Dense(n_dense_1, activation="relu", name="hidden1")(inputs)
    x = layers.BatchNormalization(name="hidden1_bn")(x)
    x = layers.Dense(n_dense_2, activation="relu", name="hidden2")(x)
    x = layers.BatchNormalization(name="hidden2_bn")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(1, activation="linear", dtype="float32", name="price")(x)
    return load_weights(keras.Model(inputs, outputs, name=name), weights, "regression_net")
