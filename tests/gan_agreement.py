"""Train the book's GAN two ways from one start on the current Keras backend: ``GAN.fit`` (the
fused ``train_step``) and the book's own loop (``zoo.gan.book_step``: ``generator.predict``,
then ``train_on_batch`` on the discriminator and on the adversarial model), on the same real
batches, the same noise and the same dropout masks.

``test_gan_backends.py`` calls it in its own process (TensorFlow) and, through ``main``, in a
subprocess on JAX or PyTorch.
"""

from pathlib import Path

import keras
import numpy as np

from zoo.datasets import quickdraw
from zoo.gan import GAN, book_models, book_step, build_discriminator, build_generator, sample_noise

BATCH, ITERATIONS = 8, 3
NOISE_SEED = 5  # the GAN's; the book's loop draws the same noise from a twin generator
DROPOUT_SEED = 1  # seeded masks: on PyTorch unseeded ones come from torch's global generator,
# which the book's predict (a DataLoader) also draws from, so the two ways would see different masks
METRICS = ("d_loss", "d_accuracy", "a_loss", "a_accuracy")  # the order of book_step's
NETWORKS = {"discriminator": build_discriminator, "generator": build_generator}


def save_start(folder: Path) -> None:
    """Small versions of the book's networks (depth 8), saved once: every run starts from them."""
    keras.utils.set_random_seed(0)
    for name, build in NETWORKS.items():
        build(depth=8).save_weights(folder / f"{name}.weights.h5")


def networks(start: Path):
    return [build(depth=8, seed=DROPOUT_SEED, weights=start / f"{name}.weights.h5") for name, build in NETWORKS.items()]


def real_batches():
    drawings = quickdraw.load_arrays("apple", source="sample", max_examples=BATCH * ITERATIONS)
    return drawings[..., None].astype("float32") / 255.0


def values(model):
    """All of ``model``'s weights (batch-norm statistics too) as one vector."""
    return np.concatenate([keras.ops.convert_to_numpy(weight).ravel() for weight in model.weights])


def train_both_ways(start: Path):
    """Returns the fitted GAN and a dict of arrays: both ways' metrics (``fit_metrics``,
    ``book_metrics``: d_loss, d_accuracy, a_loss, a_accuracy) and weights after training
    (``fit_d``, ``book_d``, ``fit_g``, ``book_g``), and the weights they started from."""
    real = real_batches()
    discriminator, generator = networks(start)
    gan = GAN(discriminator, generator, seed=NOISE_SEED)
    gan.compile()
    fit_metrics = {name: history[-1] for name, history in gan.fit(
        real, batch_size=BATCH, epochs=1, shuffle=False, verbose=0).history.items()}

    discriminator, generator, adversarial = book_models(*networks(start))
    noise = keras.random.SeedGenerator(NOISE_SEED)
    rows = []
    for batch in np.split(real, ITERATIONS):
        # the GAN draws noise twice an iteration: for the generated drawings, then for the adversarial phase
        for_fakes = keras.ops.convert_to_numpy(sample_noise(BATCH, 32, noise))
        for_adversarial = keras.ops.convert_to_numpy(sample_noise(BATCH, 32, noise))
        (d_loss, d_accuracy), (a_loss, a_accuracy) = book_step(
            batch, for_fakes, for_adversarial, discriminator, generator, adversarial)
        rows.append((d_loss, d_accuracy, a_loss, a_accuracy))
    start_discriminator, start_generator = networks(start)
    result = {
        # fit reports the epoch's running means
        "fit_metrics": np.array([fit_metrics[name] for name in METRICS]),
        "book_metrics": np.mean(rows, axis=0),
        "fit_d": values(gan.discriminator), "book_d": values(discriminator), "start_d": values(start_discriminator),
        "fit_g": values(gan.generator), "book_g": values(generator), "start_g": values(start_generator),
    }
    return gan, result


def main(start: str, out: str) -> None:
    """Train both ways, save the arrays (``both_ways.npz``), the fitted GAN (``gan.keras``) and its
    drawings for fixed noise (``noise.npy``, ``drawings.npy``)."""
    out = Path(out)
    gan, result = train_both_ways(Path(start))
    np.savez(out / "both_ways.npz", **result)
    gan.save(out / "gan.keras")
    noise = np.random.default_rng(2).uniform(-1, 1, (4, 32)).astype("float32")
    np.save(out / "noise.npy", noise)
    np.save(out / "drawings.npy", gan.generate(noise))


def load(out: Path) -> dict:
    with np.load(Path(out) / "both_ways.npz") as arrays:
        return dict(arrays)
