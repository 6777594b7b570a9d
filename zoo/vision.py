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
from zoo.layers import Dropout


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
    x = Dropout(conv_dropout, name="block1_dropout")(x)  # zoo.layers: a cheaper mask on TensorFlow
    if include_top:
        # dense hidden layer:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(n_dense, activation="relu", name="fc1")(x)
        x = Dropout(dense_dropout, name="fc1_dropout")(x)
        # output layer:
        x = classifier(num_classes)(x)
    else:
        x = global_pool(x, pooling)
    return load_weights(keras.Model(inputs, x, name=name), weights, "lenet")


def _smallest_input(steps) -> int:
    """The smallest height/width that survives ``steps``, a list of (kernel, stride) for
    every valid convolution and pool in order (so the error can say what works)."""
    for size in range(1, 4096):
        side = size
        for kernel, stride in steps:
            side = (side - kernel) // stride + 1
            if side < 1:
                break
        else:
            return size
    raise AssertionError("no input size fits")  # not reachable for the models below


def build_alexnet(
    input_shape=(224, 224, 3),
    num_classes=17,
    include_top=True,
    pooling=None,
    weights=None,
    n_dense=4096,
    dropout=0.5,
    name="alexnet",
):
    """The book's AlexNet-inspired ConvNet for Oxford Flowers 17 (chapter 10; Krizhevsky,
    Sutskever and Hinton, 2012).

    Three conv-pool blocks, each ending in batch normalisation (an 11x11 stride-4
    convolution, a 5x5 one, then three 3x3 ones), then two tanh dense layers of
    ``n_dense`` units with dropout and a softmax output: 21,883,153 parameters at the
    defaults.

    Args:
        input_shape: (height, width, channels); at least 195x195, the smallest size whose
            feature map survives the strides and the three 3x3/2 pools.
        num_classes: output classes when ``include_top``.
        include_top: keep the dense classifier; without it the model is a feature
            extractor ending after the third block (384 channels).
        pooling: with ``include_top=False``, None (a 4-D feature map), "avg" or "max"
            (a vector of 384 features).
        weights: None, or a ``.weights.h5``/``.keras`` file to load.
        n_dense: units of each of the two dense hidden layers.
        dropout: dropout rate after each dense hidden layer.
        name: the model's name.
    """
    check_top(include_top, pooling, num_classes)
    check_positive_int("n_dense", n_dense)
    check_rate("dropout", dropout)
    steps = [(11, 4), (3, 2), (5, 1), (3, 2), (3, 1), (3, 1), (3, 1), (3, 2)]
    input_shape = check_input_shape(input_shape, min_size=_smallest_input(steps), model="AlexNet")

    inputs = keras.Input(shape=input_shape, name="image")
    # first conv-pool block:
    x = layers.Conv2D(96, 11, strides=4, activation="relu", name="block1_conv1")(inputs)
    x = layers.MaxPooling2D(3, strides=2, name="block1_pool")(x)
    x = layers.BatchNormalization(name="block1_bn")(x)
    # second conv-pool block:
    x = layers.Conv2D(256, 5, activation="relu", name="block2_conv1")(x)
    x = layers.MaxPooling2D(3, strides=2, name="block2_pool")(x)
    x = layers.BatchNormalization(name="block2_bn")(x)
    # third conv-pool block:
    x = layers.Conv2D(256, 3, activation="relu", name="block3_conv1")(x)
    x = layers.Conv2D(384, 3, activation="relu", name="block3_conv2")(x)
    x = layers.Conv2D(384, 3, activation="relu", name="block3_conv3")(x)
    x = layers.MaxPooling2D(3, strides=2, name="block3_pool")(x)
    x = layers.BatchNormalization(name="block3_bn")(x)
    if include_top:
        # dense layers:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(n_dense, activation="tanh", name="fc1")(x)
        x = layers.Dropout(dropout, name="fc1_dropout")(x)
        x = layers.Dense(n_dense, activation="tanh", name="fc2")(x)
        x = layers.Dropout(dropout, name="fc2_dropout")(x)
        # output layer:
        x = classifier(num_classes)(x)
    else:
        x = global_pool(x, pooling)
    return load_weights(keras.Model(inputs, x, name=name), weights, "alexnet")


def build_vggnet(
    input_shape=(224, 224, 3),
    num_classes=17,
    include_top=True,
    pooling=None,
    weights=None,
    n_dense=4096,
    dropout=0.5,
    name="vggnet",
):
    """The book's VGGNet-inspired ConvNet for Oxford Flowers 17 (chapter 10; Simonyan and
    Zisserman, 2014).

    Five blocks of 3x3 ReLU convolutions (64 x2, 128 x2, 256 x3, 512 x3, 512 x3; valid
    padding, as in the book), each followed by 2x2 max-pooling and batch normalisation,
    then two ReLU dense layers of ``n_dense`` units with dropout and a softmax output:
    33,672,785 parameters at the defaults.

    Args:
        input_shape: (height, width, channels); at least 212x212, since thirteen valid
            3x3 convolutions and five 2x2 pools must leave at least one pixel.
        num_classes: output classes when ``include_top``.
        include_top: keep the dense classifier; without it the model is a feature
            extractor ending after block 5 (512 channels).
        pooling: with ``include_top=False``, None (a 4-D feature map), "avg" or "max"
            (a vector of 512 features).
        weights: None, or a ``.weights.h5``/``.keras`` file to load.
        n_dense: units of each of the two dense hidden layers.
        dropout: dropout rate after each dense hidden layer.
        name: the model's name.
    """
    check_top(include_top, pooling, num_classes)
    check_positive_int("n_dense", n_dense)
    check_rate("dropout", dropout)
    # (kernel, stride) of every valid convolution and pool, for the smallest-input check
    steps = [(3, 1)] * 2 + [(2, 2)] + [(3, 1)] * 2 + [(2, 2)] + ([(3, 1)] * 3 + [(2, 2)]) * 3
    input_shape = check_input_shape(input_shape, min_size=_smallest_input(steps), model="VGGNet")

    inputs = keras.Input(shape=input_shape, name="image")
    # first conv-pool block:
    x = layers.Conv2D(64, 3, activation="relu", name="block1_conv1")(inputs)
    x = layers.Conv2D(64, 3, activation="relu", name="block1_conv2")(x)
    x = layers.MaxPooling2D(2, name="block1_pool")(x)
    x = layers.BatchNormalization(name="block1_bn")(x)
    # second conv-pool block:
    x = layers.Conv2D(128, 3, activation="relu", name="block2_conv1")(x)
    x = layers.Conv2D(128, 3, activation="relu", name="block2_conv2")(x)
    x = layers.MaxPooling2D(2, name="block2_pool")(x)
    x = layers.BatchNormalization(name="block2_bn")(x)
    # third conv-pool block:
    x = layers.Conv2D(256, 3, activation="relu", name="block3_conv1")(x)
    x = layers.Conv2D(256, 3, activation="relu", name="block3_conv2")(x)
    x = layers.Conv2D(256, 3, activation="relu", name="block3_conv3")(x)
    x = layers.MaxPooling2D(2, name="block3_pool")(x)
    x = layers.BatchNormalization(name="block3_bn")(x)
    # fourth conv-pool block:
    x = layers.Conv2D(512, 3, activation="relu", name="block4_conv1")(x)
    x = layers.Conv2D(512, 3, activation="relu", name="block4_conv2")(x)
    x = layers.Conv2D(512, 3, activation="relu", name="block4_conv3")(x)
    x = layers.MaxPooling2D(2, name="block4_pool")(x)
    x = layers.BatchNormalization(name="block4_bn")(x)
    # fifth conv-pool block:
    x = layers.Conv2D(512, 3, activation="relu", name="block5_conv1")(x)
    x = layers.Conv2D(512, 3, activation="relu", name="block5_conv2")(x)
    x = layers.Conv2D(512, 3, activation="relu", name="block5_conv3")(x)
    x = layers.MaxPooling2D(2, name="block5_pool")(x)
    x = layers.BatchNormalization(name="block5_bn")(x)
    if include_top:
        # dense layers:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(n_dense, activation="relu", name="fc1")(x)
        x = layers.Dropout(dropout, name="fc1_dropout")(x)
        x = layers.Dense(n_dense, activation="relu", name="fc2")(x)
        x = layers.Dropout(dropout, name="fc2_dropout")(x)
        # output layer:
        x = classifier(num_classes)(x)
    else:
        x = global_pool(x, pooling)
    return load_weights(keras.Model(inputs, x, name=name), weights, "vggnet")
