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
``keras.ops``; only the gradient of a phase's loss is taken per backend (TensorFlow's tape,
``jax.value_and_grad``, ``torch.autograd``), and on JAX the whole iteration runs in a
``keras.StatelessScope`` over the state that JAX's ``fit`` passes in and expects back.
"""

from __future__ import annotations

import keras
from keras import layers, ops

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
            self.d_optimizer = _loss_scaled(self.d_optimizer)
            self.g_optimizer = _loss_scaled(self.g_optimizer)
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
        if keras.backend.backend() != "jax":
            (data,) = state_and_data
            return self._iteration(data)
        state, data = state_and_data
        variables = self._state_variables()
        mapping = [pair for group, values in zip(variables, state) for pair in zip(group, values)]
        with keras.StatelessScope(state_mapping=mapping) as scope:
            logs = self._iteration(data)
        return logs, tuple([scope.get_current_value(v) for v in group] for group in variables)

    def _state_variables(self):
        # the groups, and their order, of JAX's trainer state
        return self.trainable_variables, self.non_trainable_variables, self.optimizer.variables, self.metrics_variables

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
        weights = network.trainable_variables
        backend = keras.backend.backend()
        if backend == "tensorflow":
            return _tensorflow_step(loss, weights, optimizer)
        if backend == "jax":
            return _jax_step(loss, weights, optimizer, self)
        if backend == "torch":
            return _torch_step(loss, weights, optimizer)
        raise ValueError(f"the GAN trains on TensorFlow, JAX or PyTorch, not Keras' {backend!r} backend")


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


# ----------------------------------------------------------------------------- one step, per backend

def _tensorflow_step(loss, weights, optimizer):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        value, predictions = loss()
        scaled = optimizer.scale_loss(value)
    optimizer.apply(tape.gradient(scaled, weights), weights)
    # under a distribution strategy Keras' losses come divided by the number of replicas, as
    # gradients summed across them need; the metric is the loss itself (as fit reports it)
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return (value * replicas if replicas > 1 else value), predictions


def _jax_step(loss, weights, optimizer, model):
    """``jax.value_and_grad`` differentiates a pure function of the weights: ``loss()`` runs in
    a StatelessScope mapping every variable of ``model`` to its current value and ``weights``
    to the traced ones. What it updated (batch-norm statistics, dropout seeds) is assigned
    after, as the other backends do during the call; the optimiser steps statelessly too (a
    loss-scaling one branches with ``ops.cond``, which JAX traces without side effects)."""
    import jax

    state = [variable for group in model._state_variables() for variable in group]
    current = [(variable, variable.value) for variable in state]
    updated = model.non_trainable_variables

    def scaled_loss(values):
        with keras.StatelessScope(state_mapping=current + list(zip(weights, values))) as scope:
            value, predictions = loss()
            scaled = optimizer.scale_loss(value)
        return scaled, (value, predictions, [scope.get_current_value(v) for v in updated])

    gradient = jax.value_and_grad(scaled_loss, has_aux=True)
    (_, (value, predictions, new_values)), gradients = gradient([weight.value for weight in weights])
    new_weights, new_slots = optimizer.stateless_apply(
        [slot.value for slot in optimizer.variables], gradients, [weight.value for weight in weights])
    for variable, new_value in zip([*updated, *weights, *optimizer.variables], [*new_values, *new_weights, *new_slots]):
        variable.assign(new_value)
    return value, predictions


def _torch_step(loss, weights, optimizer):
    import torch

    value, predictions = loss()
    # autograd.grad rather than backward(): no gradient is left in .grad to add to the next phase's
    gradients = torch.autograd.grad(optimizer.scale_loss(value), [weight.value for weight in weights])
    with torch.no_grad():  # the optimiser updates the weights in place, which autograd must not record
        optimizer.apply(list(gradients), weights)
    return value, predictions


def _loss_scaled(optimizer):
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer)


def build_gan(discriminator=None, generator=None, compile=True, seed=None, name="gan", **kwargs):
    """The book's GAN from its two networks (built with the book's defaults when not given),
    compiled with the book's optimisers unless ``compile=False``."""
    gan = GAN(discriminator or build_discriminator(), generator or build_generator(), seed=seed, name=name)
    if compile:
        gan.compile(**kwargs)
    return gan


# ----------------------------------------------------------------------------- the book's loop

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


# ----------------------------------------------------------------------------- quality

def frechet_distance(a, b) -> float:
    """Fréchet distance between Gaussians fitted to the rows of ``a`` and ``b``."""
    import warnings

    import numpy as np
    from scipy import linalg

    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    with warnings.catch_warnings():
        # a singular covariance (blank or collapsed drawings) makes sqrtm warn; nudge it as FID code does
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        root = linalg.sqrtm(cov_a @ cov_b)
        if not np.isfinite(root).all():
            offset = 1e-6 * np.eye(len(cov_a))
            root = linalg.sqrtm((cov_a + offset) @ (cov_b + offset))
    root = root.real  # sqrtm leaves tiny imaginary parts from rounding
    return float(((mean_a - mean_b) ** 2).sum() + np.trace(cov_a + cov_b - 2.0 * root))


class PixelFrechetDistance:
    """An FID-like figure without a pretrained network: the Fréchet distance between real and
    generated drawings in the space of the real drawings' first ``n_components`` principal
    components (of their 784 pixels in [0, 1]).

    Lower is better; ``reference()`` gives the distance between two disjoint sets of real
    drawings of the same size (the floor set by sampling noise), so a run reports both.
    """

    def __init__(self, real, n_components: int = 32, n_samples: int = 1000, seed: int = 0):
        import numpy as np
        from sklearn.decomposition import PCA

        real = np.asarray(real, dtype=np.float32).reshape(len(real), -1)
        if real.max() > 1.0:
            real = real / 255.0
        # two disjoint real sets of n_samples each, and more drawings than components in each
        self.n_samples = min(n_samples, len(real) // 2)
        if self.n_samples <= n_components:
            raise ValueError(f"PixelFrechetDistance needs at least {2 * (n_components + 1)} real drawings, got {len(real)}")
        real = real[np.random.default_rng(seed).permutation(len(real))]
        self.pca = PCA(n_components=n_components, random_state=seed).fit(real)
        self.real_a = self.pca.transform(real[: self.n_samples])
        self.real_b = self.pca.transform(real[self.n_samples: 2 * self.n_samples])

    def __call__(self, generated) -> float:
        import numpy as np

        generated = np.asarray(generated, dtype=np.float32).reshape(len(generated), -1)[: self.n_samples]
        return frechet_distance(self.real_a, self.pca.transform(generated))

    def reference(self) -> float:
        return frechet_distance(self.real_a, self.real_b)
