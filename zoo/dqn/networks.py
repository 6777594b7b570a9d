"""Chapter 13's Q-networks: a state (or a frame) in, one estimated discounted return per action out."""

from __future__ import annotations

import keras
from keras import layers

from zoo.common import check_input_shape, check_positive_int, load_weights


def build_cartpole_q_network(state_size=4, action_size=2, n_dense=32, weights=None, name="cartpole_q_network"):
    """The book's Cart-Pole Q-network (chapter 13): two dense ReLU layers, linear Q-values.

    Maps a state (cart position, cart velocity, pole angle, pole angular velocity) to one
    estimated discounted return per action: 1,282 parameters at the defaults.

    Args:
        state_size: length of the state vector (4 for Cart-Pole).
        action_size: number of discrete actions (2: push left, push right).
        n_dense: units of each of the two hidden layers.
        weights: None, or a ``.weights.h5``/``.keras`` file to load.
        name: the model's name.
    """
    for argument, value in (("state_size", state_size), ("action_size", action_size), ("n_dense", n_dense)):
        check_positive_int(argument, value)

    inputs = keras.Input(shape=(state_size,), name="state")
    # two dense hidden layers:
    x = layers.Dense(n_dense, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(n_dense, activation="relu", name="dense_2")(x)
    # output layer: one linear Q-value per action
    q = layers.Dense(action_size, activation="linear", dtype="float32", name="q_values")(x)
    return load_weights(keras.Model(inputs, q, name=name), weights, "cartpole_q_network")


def build_doom_q_network(input_shape=(30, 45, 1), action_size=8, n_conv=8, n_dense=128, weights=None,
                         name="doom_q_network"):
    """The Q-network of ViZDoom's learning examples: two small convolutions and Dense 128.

    Input is a grey frame down-sampled to 30x45; output one Q-value per action (button
    combination): 26,616 parameters for 8 actions at the defaults.

    Args:
        input_shape: (height, width, channels) of the preprocessed frame; at least 12x12.
        action_size: number of discrete actions (8 combinations of simpler_basic's 3 buttons).
        n_conv: filters of each convolution.
        n_dense: units of the dense hidden layer.
        weights: None, or a ``.weights.h5``/``.keras`` file to load.
        name: the model's name.
    """
    for argument, value in (("action_size", action_size), ("n_conv", n_conv), ("n_dense", n_dense)):
        check_positive_int(argument, value)
    # the 6x6/3 convolution then the 3x3/2 one need at least 12 pixels each way
    input_shape = check_input_shape(input_shape, min_size=12, model="the Doom Q-network")

    inputs = keras.Input(shape=input_shape, name="frame")
    # two small convolutions:
    x = layers.Conv2D(n_conv, 6, strides=3, activation="relu", name="conv_1")(inputs)
    x = layers.Conv2D(n_conv, 3, strides=2, activation="relu", name="conv_2")(x)
    # dense hidden layer:
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(n_dense, activation="relu", name="dense_1")(x)
    # output layer: one linear Q-value per action
    q = layers.Dense(action_size, activation="linear", dtype="float32", name="q_values")(x)
    return load_weights(keras.Model(inputs, q, name=name), weights, "doom_q_network")
