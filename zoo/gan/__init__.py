"""Chapter 12, generative adversarial networks: the Quick, Draw! discriminator, generator and GAN.

The book trains its GAN with three compiled Keras 2 models and a Python loop of
``generator.predict`` and two ``train_on_batch`` calls. Here the same two networks are joined
in :class:`GAN`, a ``keras.Model`` with its own ``train_step`` (the keras-io DCGAN idiom), so
one ``fit`` call brings progress bars, callbacks, checkpoints, TensorBoard and resume, and each
iteration runs as one compiled graph:

    from zoo.gan import GAN, build_discriminator, build_generator
    gan = GAN(build_discriminator(), build_generator())
    gan.compile()                       # the book's two RMSprop optimisers
    gan.fit(drawings, epochs=20, steps_per_epoch=100)   # 2,000 iterations
    images = gan.generate(16)

Everything here runs on TensorFlow, JAX and PyTorch. ``GAN.train_step`` is written once with
``keras.ops``; only the gradient of a phase's loss is taken per backend (``zoo.backend_steps``:
TensorFlow's tape, ``jax.value_and_grad``, ``torch.autograd``), and on JAX the whole iteration
runs in a ``keras.StatelessScope`` over the state that JAX's ``fit`` passes in and expects back.

- ``networks``: the discriminator, the generator, their optimisers and the latent noise;
- ``model``: :class:`GAN` and :func:`build_gan`;
- ``book``: the book's own loop (three compiled models, ``predict`` and ``train_on_batch``);
- ``quality``: :class:`PixelFrechetDistance`.
"""

from zoo.gan.book import book_iteration, book_models, book_step
from zoo.gan.model import GAN, build_gan
from zoo.gan.networks import (adversarial_optimizer, build_discriminator, build_generator, discriminator_optimizer,
                              sample_noise)
from zoo.gan.quality import PixelFrechetDistance, frechet_distance, pixel_fd_over_draws

__all__ = ["GAN", "PixelFrechetDistance", "adversarial_optimizer", "book_iteration", "book_models", "book_step",
           "build_discriminator", "build_gan", "build_generator", "discriminator_optimizer", "frechet_distance",
           "pixel_fd_over_draws", "sample_noise"]
