"""The worked examples of *Deep Learning Illustrated* as Keras 3 builders.

    from zoo import build_lenet
    model = build_lenet()                     # the book's LeNet-5-inspired ConvNet
    zoo.names()                               # every model in the zoo
    zoo.get("alexnet")(num_classes=5)         # a builder by name

Builders return uncompiled ``keras.Model``s; the book's compile and fit settings are in
``zoo.recipes``. Submodules are imported on first use, so ``import zoo`` stays light.
"""

from __future__ import annotations

import importlib
import os

# Every zoo module imports this package first, before keras loads TensorFlow: level 3 hides
# TensorFlow's C++ start-up logs, among them the "failed call to cuInit" error on machines
# without a GPU (hiding CUDA devices does not). A level the user set is kept.
_USER_TF_LOG_LEVEL = os.environ.get("TF_CPP_MIN_LOG_LEVEL")  # zoo.startup shows the start-up lines when set
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__version__ = "0.1.0"

# model name -> (module, builder function)
_REGISTRY = {
    # chapters 5, 8, 9: dense networks
    "shallow_net": ("zoo.dense", "build_shallow_net"),
    "intermediate_net": ("zoo.dense", "build_intermediate_net"),
    "deep_net": ("zoo.dense", "build_deep_net"),
    "regression_net": ("zoo.dense", "build_regression_net"),
    # chapter 10: machine vision
    "lenet": ("zoo.vision", "build_lenet"),
    # chapter 10: AlexNet, VGGNet, VGG19 transfer
    "alexnet": ("zoo.vision", "build_alexnet"),
    "vggnet": ("zoo.vision", "build_vggnet"),
    "vgg19_transfer": ("zoo.transfer", "build_vgg19_transfer"),
    # chapter 11: sentiment classifiers
    "dense_sentiment": ("zoo.sentiment", "build_dense_sentiment"),
    "conv_sentiment": ("zoo.sentiment", "build_conv_sentiment"),
    "rnn_sentiment": ("zoo.sentiment", "build_rnn_sentiment"),
    "lstm_sentiment": ("zoo.sentiment", "build_lstm_sentiment"),
    "bilstm_sentiment": ("zoo.sentiment", "build_bilstm_sentiment"),
    "stacked_bilstm_sentiment": ("zoo.sentiment", "build_stacked_bilstm_sentiment"),
    "conv_lstm_sentiment": ("zoo.sentiment", "build_conv_lstm_sentiment"),
    "gru_sentiment": ("zoo.sentiment", "build_gru_sentiment"),
    "multi_convnet_sentiment": ("zoo.sentiment", "build_multi_convnet_sentiment"),
    # chapter 12: GAN
    "discriminator": ("zoo.gan", "build_discriminator"),
    "generator": ("zoo.gan", "build_generator"),
    "gan": ("zoo.gan", "build_gan"),
    # chapter 13 and Doom: deep Q-networks
    "cartpole_q_network": ("zoo.dqn", "build_cartpole_q_network"),
    "doom_q_network": ("zoo.dqn", "build_doom_q_network"),
}

_BUILDERS = {function: (module, function) for module, function in _REGISTRY.values()}


def names() -> list[str]:
    """Every model name, in book order."""
    return list(_REGISTRY)


def get(name: str):
    """The builder function registered under ``name``."""
    if name not in _REGISTRY:
        raise ValueError(f"unknown model {name!r}; expected one of {names()}")
    module, function = _REGISTRY[name]
    return getattr(importlib.import_module(module), function)


def __getattr__(attribute: str):
    if attribute in _BUILDERS:
        module, function = _BUILDERS[attribute]
        return getattr(importlib.import_module(module), function)
    if not attribute.startswith("__"):  # a submodule, imported on first use: zoo.pretrained after `import zoo`
        try:
            return importlib.import_module(f"{__name__}.{attribute}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{attribute}":
                raise  # the submodule exists but imports something missing
    raise AttributeError(f"module 'zoo' has no attribute {attribute!r}")


def __dir__():
    return sorted(list(globals()) + list(_BUILDERS))


__all__ = ["names", "get", *_BUILDERS]
