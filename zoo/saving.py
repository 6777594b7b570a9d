"""Reading the zoo's saved models (``.keras``): every load goes through :func:`load_model`.

Keras rebuilds a custom class from a ``.keras`` file only if the class is registered, and
registration happens when its module is imported. A process that never imported ``zoo.layers``
(``dli-zoo export`` of a GAN run) could not read the discriminator, which is built with
``zoo.layers.Conv2D``. So the zoo's layers are passed as ``custom_objects``, under the names
Keras wrote into the files (``zoo>Conv2D``): every file saved with them, before this module as
after, loads whatever was imported. (The GAN model, ``zoo.gan.GAN``, is read only where
``zoo.gan`` is imported: its own training script.) Imports Keras only when called.
"""

from __future__ import annotations


def custom_objects() -> dict:
    """The zoo's own layers by the name Keras records in a saved model's configuration."""
    import keras

    from zoo.layers import Conv2D

    return {keras.saving.get_registered_name(layer): layer for layer in (Conv2D,)}


def load_model(path, **kwargs):
    """``keras.models.load_model(path, **kwargs)``, with the zoo's layers known."""
    import keras

    return keras.models.load_model(path, custom_objects={**custom_objects(), **kwargs.pop("custom_objects", {})},
                                   **kwargs)
