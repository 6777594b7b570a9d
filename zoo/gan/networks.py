"""The book's two networks of chapter 12 and their optimisers: the Quick, Draw! discriminator
and generator, and the latent noise the generator draws from."""

from __future__ import annotations

import keras
from keras import layers

from zoo import recipes
from zoo.common import check_input_shape, check_positive_int, check_rate, load_weights
from zoo.layers import Conv2D


def discriminator_optimizer():
    """The book's RMSprop for the discriminator (its settings are ``zoo.recipes``')."""
    return recipes.GAN_DISCRIMINATOR_OPTIMIZER()


def adversarial_optimizer():
    """The book's RMSprop for the adversarial network (the generator's updates)."""
    return recipes.GAN_ADVERSARIAL_OPTIMIZER()


def build_discriminator(
    input_shape=(28, 28, 1),
    depth=64,
    dropout=0.4,
    k_conv=5,
    weights=None,
    name="discriminator",
    seed=None,
):
    """The book's discriminator: is a 28x28 drawing real (1) or generated (0)?

    Four 5x5 ReLU convolutions (64, 128, 256, 512 filters; strides 2, 2, 2, 1; ``same``
    padding), each followed by dropout, then one sigmoid unit: 4,311,553 parameters at the
    defaults (Radford et al., 2016, without batch normalisation, as in the book).

    Args:
        input_shape: (height, width, channels) of the drawings.
        depth: filters of the first convolution; the others have 2x, 4x and 8x as many.
        dropout: rate after every convolution.
        k_conv: kernel size of the convolutions.
        weights: None, or a ``.weights.h5``/``.keras`` file to load.
        name: the model's name.
        seed: None, or an int that fixes the dropout masks (see :func:`build_generator`).
    """
    check_positive_int("depth", depth)
    check_positive_int("k_conv", k_conv)
    check_rate("dropout", dropout)
    _check_seed(seed)
    input_shape = check_input_shape(input_shape, model="the discriminator")

    inputs = keras.Input(shape=input_shape, name="image")
    x = inputs
    for block, (multiple, strides) in enumerate(((1, 2), (2, 2), (4, 2), (8, 1)), start=1):
        # conv block {1, 2, 3, 4}: 64, 128, 256, 512 filters
        # zoo.layers.Conv2D: Keras' layer and weights; on JAX's CPU, blocks 3 and 4 (a 4x4 output
        # map under a 5x5 kernel) take a path that XLA runs tens of times faster
        x = Conv2D(depth * multiple, k_conv, strides=strides, padding="same", activation="relu",
                   name=f"block{block}_conv")(x)
        # Keras' own dropout, not zoo.layers.Dropout: a bfloat16 run with its masks (seed 0) ended
        # further from the card than any run with Keras' (docs/results.md)
        x = layers.Dropout(dropout, seed=_layer_seed(seed, block), name=f"block{block}_dropout")(x)
    # output layer: probability that the drawing is real (float32 under mixed precision)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(1, activation="sigmoid", dtype="float32", name="predictions")(x)
    return load_weights(keras.Model(inputs, x, name=name), weights, "discriminator")


def build_generator(
    z_dim=32,
    depth=64,
    dropout=0.4,
    momentum=0.9,
    k_conv=5,
    weights=None,
    name="generator",
    seed=None,
):
    """The book's generator: a 32-number noise vector in, a 28x28x1 drawing in [0, 1] out.

    A dense layer reshaped to 7x7x64, two upsampling transposed-convolution blocks (32 and 16
    filters, to 14x14 and 28x28), a third transposed convolution (8 filters) and a sigmoid
    convolution to one channel, with batch normalisation and ReLU throughout: 183,713
    parameters at the defaults.

    Args:
        z_dim: length of the latent (noise) vector.
        depth: channels of the 7x7 map; the transposed convolutions have depth/2, /4, /8
            (so ``depth`` must be a multiple of 8).
        dropout: rate after the dense layer.
        momentum: batch-normalisation momentum.
        k_conv: kernel size of the (transposed) convolutions.
        weights: None, or a ``.weights.h5``/``.keras`` file to load.
        name: the model's name.
        seed: None, or an int that fixes the dropout masks. Without one they follow Keras'
            global seed (``keras.utils.set_random_seed``), which on PyTorch is torch's global
            generator, also drawn from by every ``predict`` and ``fit`` epoch (its DataLoader).
    """
    check_positive_int("z_dim", z_dim)
    check_positive_int("depth", depth, minimum=8)
    if depth % 8:
        raise ValueError(f"depth={depth!r} is invalid: expected a multiple of 8 (the last block has depth/8 filters)")
    check_positive_int("k_conv", k_conv)
    check_rate("dropout", dropout)
    check_rate("momentum", momentum)
    _check_seed(seed)

    inputs = keras.Input(shape=(z_dim,), name="noise")
    # dense block: noise -> 7x7xdepth
    x = layers.Dense(7 * 7 * depth, name="dense")(inputs)
    x = layers.BatchNormalization(momentum=momentum, name="dense_bn")(x)
    x = layers.Activation("relu", name="dense_relu")(x)
    x = layers.Reshape((7, 7, depth), name="reshape")(x)
    x = layers.Dropout(dropout, seed=_layer_seed(seed, 0), name="dense_dropout")(x)
    # de-convolutional blocks: 14x14, 28x28, 28x28
    for block, (filters, upsample) in enumerate(((depth // 2, True), (depth // 4, True), (depth // 8, False)), start=1):
        if upsample:
            x = layers.UpSampling2D(name=f"block{block}_upsample")(x)
        x = layers.Conv2DTranspose(filters, k_conv, padding="same", name=f"block{block}_deconv")(x)
        x = layers.BatchNormalization(momentum=momentum, name=f"block{block}_bn")(x)
        x = layers.Activation("relu", name=f"block{block}_relu")(x)
    # output layer: one channel of ink in [0, 1] (float32 under mixed precision)
    x = layers.Conv2D(1, k_conv, padding="same", activation="sigmoid", dtype="float32", name="image")(x)
    return load_weights(keras.Model(inputs, x, name=name), weights, "generator")


def _check_seed(seed):
    if seed is not None:
        check_positive_int("seed", seed, minimum=0)


def _layer_seed(seed, layer: int):
    return None if seed is None else seed + layer  # a different mask in each dropout layer


def sample_noise(batch_size: int, z_dim: int = 32, seed=None):
    """The book's latent vectors: uniform in [-1, 1]."""
    return keras.random.uniform((batch_size, z_dim), minval=-1.0, maxval=1.0, seed=seed)
