"""The book's own GAN loop, in Keras 3: three compiled models and a Python loop of
``generator.predict`` and two ``train_on_batch`` calls, the reference that :class:`zoo.gan.GAN`
is tested and benchmarked against."""

from __future__ import annotations

import keras

from zoo.gan.networks import adversarial_optimizer, build_discriminator, build_generator, discriminator_optimizer


def book_models(discriminator=None, generator=None, z_dim: int = 32):
    """The notebook's three compiled models (discriminator, generator, adversarial), Keras 3.

    For comparing with the book's way (``scripts/benchmarks/gan.py`` and the tests that hold :class:`GAN`, the zoo's way, to it).
    """
    discriminator = discriminator or build_discriminator()
    generator = generator or build_generator(z_dim=z_dim)
    discriminator.compile(loss="binary_crossentropy", optimizer=discriminator_optimizer(), metrics=["accuracy"])
    discriminator.trainable = False  # the book's make_trainable(discriminator, False) before compiling
    adversarial = keras.Sequential([keras.Input((z_dim,)), generator, discriminator], name="adversarial")
    adversarial.compile(loss="binary_crossentropy", optimizer=adversarial_optimizer(), metrics=["accuracy"])
    return discriminator, generator, adversarial


def book_iteration(real_drawings, discriminator, generator, adversarial, rng, batch_size: int = 128):
    """One pass of the notebook's ``train()`` loop body (less its printing): returns the
    discriminator's and the adversarial model's [loss, accuracy]."""
    z_dim = generator.input_shape[-1]
    real = real_drawings[rng.choice(len(real_drawings), batch_size, replace=False)]
    noise_for_fakes = rng.uniform(-1.0, 1.0, size=(batch_size, z_dim))
    noise = rng.uniform(-1.0, 1.0, size=(batch_size, z_dim))
    return book_step(real, noise_for_fakes, noise, discriminator, generator, adversarial)


def book_step(real, noise_for_fakes, noise, discriminator, generator, adversarial):
    """The notebook's two phases on given drawings and noise: ``generator.predict`` on
    ``noise_for_fakes``, ``discriminator.train_on_batch`` on the real and generated drawings,
    then ``adversarial.train_on_batch`` on ``noise`` labelled real. Returns the discriminator's
    and the adversarial model's [loss, accuracy]."""
    import numpy as np

    batch_size = len(real)
    fake = generator.predict(noise_for_fakes, verbose=0)
    x = np.concatenate((real, fake))
    y = np.ones((2 * batch_size, 1))
    y[batch_size:, :] = 0
    discriminator.trainable = True
    d_metrics = discriminator.train_on_batch(x, y)
    discriminator.trainable = False
    a_metrics = adversarial.train_on_batch(noise, np.ones((len(noise), 1)))
    return d_metrics, a_metrics
