"""Chapter 10, machine vision: the LeNet-5-, AlexNet- and VGGNet-inspired ConvNets.

Every builder follows the ``keras.applications`` contract: ``input_shape``,
``num_classes``, ``include_top``, ``pooling`` (None, "avg", "max"), ``weights`` (None or a
``.weights.h5``/``.keras`` file) and ``name``, with named blocks so that weights saved from a
full model load into a headless one.
"""

from __future__ import annotations

import keras
from keras import layers

from zoo.common import (
    check_input_shape,
    check_positive_int,
    check_rate,
    check_top,
    classifier,
    global_pool,
    load_weights,
)


def build_lenet(
    input_shape=(28, 28, 1),
    num_classes=10,
    include_top=True,
    pooling=None,
    weights=None,
    n_conv_1=32,
    n_conv_2=64,
    k_conv=3,
    n_dense=128,
    conv_dropout=0.25,
    dense_dropout=0.5,
    name="lenet",
):
    """The book's LeNet-5-inspired ConvNet for MNIST (chapter 10; LeCun et al., 1998).

    Two 3x3 ReLU convolutions, 2x2 max-pooling and dropout, then a dense ReLU layer with
    dropout and a softmax output: 1,199,882 parameters at the defaults.

    Args:
        input_shape: (height, width, channels); at least 6x6 for the two valid 3x3
            convolutions and the 2x2 pool.
        num_classes: output classes when ``include_top``.
        include_top: keep the dense classifier; without it the model is a feature
            extractor ending after the conv-pool block.
        pooling: with ``include_top=False``, None (a 4-D feature map), "avg" or "max"
            (a vector of ``n_conv_2`` features).
        weights: None, or a ``.weights.h5``/``.keras`` file to load.
        n_conv_1, n_conv_2, k_conv: filters of the two convolutions and their kernel size.
        n_dense: units of the hidden dense layer.
        conv_dropout, dense_dropout: dropout rates after the pool and the dense layer.
        name: the model's name.
    """
    check_top(include_top, pooling, num_classes)
    for argument, value in (("n_conv_1", n_conv_1), ("n_conv_2", n_conv_2), ("k_conv", k_conv), ("n_dense", n_dense)):
        check_positive_int(argument, value)
    check_rate("conv_dropout", conv_dropout)
    check_rate("dense_dropout", dense_dropout)
    input_shape = check_input_shape(input_shape, min_size=2 * (k_conv - 1) + 2, model="LeNet")

    inputs = keras.Input(shape=input_shape, name="image")
    # first conv-pool block:
    x = layers.Conv2D(n_conv_1, k_conv, activation="relu", name="block1_conv1")(inputs)
    x = layers.Conv2D(n_conv_2, k_conv, activation="relu", name="block1_conv2")(x)
    x = layers.MaxPooling2D(2, name="block1_pool")(x)
    x = layers.Dropout(conv_dropout, name="block1_dropout")(x)
    if include_top:
        # dense hidden layer:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(n_dense, activation="relu", name="fc1")(x)
        x = layers.Dropout(dense_dropout, name="fc1_dropout")(x)
        # output layer:
        x = classifier(num_classes)(x)
    else:
        x = global_pool(x, pooling)
    return load_weights(keras.Model(inputs, x, name=name), weights)
