"""The book's adversarial training as one ``keras.Model``, :class:`GAN`, with its own
``train_step`` (the keras-io DCGAN idiom): one ``fit`` call brings progress bars, callbacks,
checkpoints, TensorBoard and resume, and each iteration runs as one compiled graph.

``GAN.train_step`` is written once with ``keras.ops``; the gradient of a phase's loss, the
optimiser's step and JAX's stateless ``fit`` are ``zoo.backend_steps``' (TensorFlow's tape,
``jax.value_and_grad``, ``torch.autograd``), which the DQN's replay shares.
"""

from __future__ import annotations

import keras
from keras import ops

from zoo import backend_steps
from zoo.gan.networks import (adversarial_optimizer, build_discriminator, build_generator, discriminator_optimizer,
                              sample_noise)


@keras.saving.register_keras_serializable(package="zoo")
class GAN(keras.Model):
    """The book's adversarial training of ``generator`` against ``discriminator`` in one model.

    Every ``train_step`` is one of the book's iterations:

    1. discriminator phase: a batch of real drawings labelled 1 and as many generated ones
       labelled 0 (drawn like the book's ``generator.predict``: inference mode) train the
       discriminator; the generator is untouched.
    2. adversarial phase: new uniform noise in [-1, 1], labelled 1 ("real"), goes through the
       generator and the frozen discriminator; only the generator's weights are updated.

    The four metrics are the book's: ``d_loss``, ``d_accuracy`` (discriminator) and
    ``a_loss``, ``a_accuracy`` (adversarial model), as running means over the epoch.
    Calling the model (or ``predict``) maps noise to drawings.
    """

    def __init__(self, discriminator, generator, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.discriminator = discriminator
        self.generator = generator
        self.z_dim = int(generator.input_shape[-1])
        image_shape, critic_shape = tuple(generator.output_shape[1:]), tuple(discriminator.input_shape[1:])
        if image_shape != critic_shape:
            raise ValueError(
                f"generator output {image_shape} does not match discriminator input {critic_shape}"
            )
        self.seed = seed
        self.noise_seed = keras.random.SeedGenerator(seed)
        self.loss_fn = keras.losses.BinaryCrossentropy()
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.d_accuracy_tracker = keras.metrics.BinaryAccuracy(name="d_accuracy")
        self.a_loss_tracker = keras.metrics.Mean(name="a_loss")
        self.a_accuracy_tracker = keras.metrics.BinaryAccuracy(name="a_accuracy")
        self.built = True  # both networks are functional models, built at construction

    def call(self, noise, training=False):
        return self.generator(noise, training=training)

    @property
    def metrics(self):
        # listed so that fit resets them at each epoch
        return [self.d_loss_tracker, self.d_accuracy_tracker, self.a_loss_tracker, self.a_accuracy_tracker]

    def compile(self, d_optimizer=None, g_optimizer=None, optimizer=None, loss=None, metrics=None, **kwargs):
        """The book's optimisers unless others are given (``optimizer`` is an alias of
        ``d_optimizer``, for ``Recipe.build_compiled``); ``kwargs`` go to ``Model.compile``
        (``steps_per_execution``, ``jit_compile``, ...). The loss is always the book's binary
        cross-entropy and the metrics its four."""
        if loss not in (None, "binary_crossentropy") and not isinstance(loss, keras.losses.BinaryCrossentropy):
            raise ValueError(f"loss={loss!r} is invalid: the GAN trains with 'binary_crossentropy'")
        if metrics:
            raise ValueError(f"metrics={metrics!r} is invalid: the GAN reports its own four metrics")
        super().compile(**kwargs)
        d_optimizer = d_optimizer if d_optimizer is not None else optimizer
        self.d_optimizer = d_optimizer if d_optimizer is not None else discriminator_optimizer()
        self.g_optimizer = g_optimizer if g_optimizer is not None else adversarial_optimizer()
        if keras.config.dtype_policy().name == "mixed_float16":
            # float16 gradients underflow without loss scaling (fit does this for ordinary models)
            self.d_optimizer = backend_steps.loss_scaled(self.d_optimizer)
            self.g_optimizer = backend_steps.loss_scaled(self.g_optimizer)
        # slots now, not in a first step: JAX's fit passes optimiser state into a traced
        # train_step, and a saved run's optimiser state loads into them
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)
        # in place of the default optimiser Model.compile made, which fit would build for
        # every variable of both networks
        self.optimizer = _OptimizerPair(self.d_optimizer, self.g_optimizer)
        self._gan_compile_kwargs = kwargs

    def get_compile_config(self):
        if not self.compiled:
            return {}
        return {
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            **{key: value for key, value in self._gan_compile_kwargs.items() if key in ("steps_per_execution",)},
        }

    def compile_from_config(self, config):
        config = dict(config)
        d_optimizer = keras.saving.deserialize_keras_object(config.pop("d_optimizer"))
        g_optimizer = keras.saving.deserialize_keras_object(config.pop("g_optimizer"))
        self.compile(d_optimizer=d_optimizer, g_optimizer=g_optimizer, **config)

    def get_config(self):
        config = super().get_config()
        config.update({
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "generator": keras.saving.serialize_keras_object(self.generator),
            "seed": self.seed,
        })
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        discriminator = keras.saving.deserialize_keras_object(config.pop("discriminator"))
        generator = keras.saving.deserialize_keras_object(config.pop("generator"))
        return cls(discriminator, generator, **config)

    def generate(self, n_or_noise, batch_size=256):
        """``n`` new drawings (or the drawings for a given noise array), as NumPy (n, 28, 28, 1)."""
        noise = sample_noise(n_or_noise, self.z_dim) if isinstance(n_or_noise, int) else n_or_noise
        return self.generator.predict(noise, batch_size=batch_size, verbose=0)

    def train_step(self, *state_and_data):
        """One of the book's iterations: a discriminator step, then an adversarial step.

        TensorFlow's and PyTorch's ``fit`` call ``train_step(data)`` and expect the logs; JAX's
        calls ``train_step(state, data)`` (trainable, non-trainable, optimiser and metric
        variables' values) and expects ``(logs, state)``: the same iteration then runs in a
        ``keras.StatelessScope`` over that state, which collects the new values.
        """
        return self._steps().train_step(self, self._iteration, *state_and_data)

    @staticmethod
    def _steps():
        return backend_steps.current("the GAN")

    def _iteration(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        self.discriminator_step(real)
        self.adversarial_step(ops.shape(real)[0])
        return {metric.name: metric.result() for metric in self.metrics}

    def discriminator_step(self, real):
        """Train the discriminator on ``real`` drawings (label 1) and as many generated ones (0)."""
        batch_size = ops.shape(real)[0]
        real = ops.cast(real, self.compute_dtype)
        # generated like the book's generator.predict: inference mode, no gradient to the generator
        fake = ops.stop_gradient(self.generator(sample_noise(batch_size, self.z_dim, self.noise_seed), training=False))
        # one batch of real and fake drawings, as the book's train_on_batch(concatenate(...))
        images = ops.concatenate([real, ops.cast(fake, real.dtype)], axis=0)
        labels = ops.concatenate([ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0)

        def loss():
            predictions = self.discriminator(images, training=True)
            return self.loss_fn(labels, predictions), predictions

        loss, predictions = self._descend(self.discriminator, self.d_optimizer, loss)
        self.d_loss_tracker.update_state(loss)
        self.d_accuracy_tracker.update_state(labels, predictions)
        return loss

    def adversarial_step(self, batch_size):
        """Train the generator to make the frozen discriminator call its drawings real (label 1)."""
        noise = sample_noise(batch_size, self.z_dim, self.noise_seed)
        misleading = ops.ones((batch_size, 1))

        def loss():
            # dropout stays on in the discriminator, as in the book's adversarial train_on_batch;
            # only the generator's weights are updated, which is what freezing meant there
            predictions = self.discriminator(self.generator(noise, training=True), training=True)
            return self.loss_fn(misleading, predictions), predictions

        loss, predictions = self._descend(self.generator, self.g_optimizer, loss)
        self.a_loss_tracker.update_state(loss)
        self.a_accuracy_tracker.update_state(misleading, predictions)
        return loss

    def _descend(self, network, optimizer, loss):
        """One step of ``optimizer`` on ``network``'s trainable weights down ``loss()``, which
        returns the loss and the predictions; returns them too."""
        return self._steps().descend(loss, network.trainable_variables, optimizer, self)


class _OptimizerPair:
    """What Keras sees as the GAN's ``optimizer``: JAX's ``fit`` passes ``optimizer.variables``
    through ``train_step``, and Keras' callbacks (TensorBoard, learning-rate schedulers) look
    for ``optimizers``, as on a ``keras.optimizers.MultiOptimizer``. That class cannot be
    used itself: it applies all its optimisers in one call (and refuses loss scaling), while
    each of the GAN's updates its own network in its own phase."""

    built = True  # GAN.compile builds both, so fit builds nothing

    def __init__(self, d_optimizer, g_optimizer):
        self.optimizers = [d_optimizer, g_optimizer]

    @property
    def variables(self):
        return [variable for optimizer in self.optimizers for variable in optimizer.variables]

    @property
    def iterations(self):
        return self.optimizers[0].iterations  # both step once per iteration


def build_gan(discriminator=None, generator=None, compile=True, seed=None, name="gan", **kwargs):
    """The book's GAN from its two networks (built with the book's defaults when not given),
    compiled with the book's optimisers unless ``compile=False``."""
    gan = GAN(discriminator or build_discriminator(), generator or build_generator(), seed=seed, name=name)
    if compile:
        gan.compile(**kwargs)
    return gan
