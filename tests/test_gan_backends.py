"""The GAN's fused train_step on TensorFlow, JAX and PyTorch against the book's own loop.

On each backend, from the same saved weights, real batches, noise and dropout masks
(``gan_agreement.py``), three iterations of ``GAN.fit`` and of the book's loop (``predict``,
then two ``train_on_batch`` calls) must end with weights within 1e-4 of each other and report
metrics within 1e-4 (relative).

Why 1e-4: both ways run the same float32 operations in the same order, and on CPU they agree
to the bit on all three backends. Elsewhere (a GPU, another XLA) one fused graph may round
differently from three separately compiled functions, by ~1e-7 relative; RMSprop's updates,
lr * g / (sqrt(v) + 1e-7), are insensitive to the scale of g, and a gradient small enough for
rounding to flip its sign is damped by the 1e-7, so such differences stay near 1e-5. A real
difference moves weights by a whole step, about 3 * lr: 1.3e-3 for the generator, 2.5e-3 for
the discriminator (10-25x the tolerance). A phase that trained the wrong network, a generator
in training mode where the book predicts, other noise or dropout masks, or a lost or doubled
update each fail it (unseeded dropout on PyTorch, say, left weights 1e-2 apart).
"""

import json

import keras
import numpy as np
import pytest

import gan_agreement
from conftest import needs_backend, run_python
from zoo.gan import GAN

# pytest-xdist (--dist loadgroup): the start weights and the JAX run are made once, on one worker
pytestmark = pytest.mark.xdist_group('test_gan_backends')

TOLERANCE = 1e-4

IN_A_SUBPROCESS = """
import os, sys
# XLA's CPU optimisations off: compiling, not running, is what three small steps cost
os.environ["XLA_FLAGS"] = "--xla_backend_optimization_level=0 " + os.environ.get("XLA_FLAGS", "")
sys.path.insert(0, "tests")
import gan_agreement
gan_agreement.main({start!r}, {out!r})
"""


@pytest.fixture(scope="module")
def start(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gan_start")
    gan_agreement.save_start(folder)
    return folder


def both_ways_on(backend, start, out):
    """``gan_agreement.main`` on ``backend``, TensorFlow hidden as on a JAX-only GPU machine."""
    run_python(IN_A_SUBPROCESS.format(start=str(start), out=str(out)), backend=backend, tensorflow=False)
    return out


@pytest.fixture(scope="module")
def on_jax(start, tmp_path_factory):
    return both_ways_on("jax", start, tmp_path_factory.mktemp("gan_jax"))


def assert_the_two_ways_agree(result):
    np.testing.assert_allclose(result["fit_metrics"], result["book_metrics"], rtol=TOLERANCE)
    for network in ("d", "g"):
        fit, book, start = result[f"fit_{network}"], result[f"book_{network}"], result[f"start_{network}"]
        np.testing.assert_allclose(fit, book, rtol=0, atol=TOLERANCE, err_msg=f"{network} weights")
        assert np.abs(fit - start).max() > 10 * TOLERANCE  # both trained: agreeing is not standing still


def test_fit_matches_the_books_loop_on_tensorflow(start):
    _, result = gan_agreement.train_both_ways(start)
    assert_the_two_ways_agree(result)


def test_fit_matches_the_books_loop_on_jax(on_jax):
    assert_the_two_ways_agree(gan_agreement.load(on_jax))


def test_a_gan_saved_on_jax_reloads_on_tensorflow(on_jax):
    gan = keras.models.load_model(on_jax / "gan.keras")
    assert isinstance(gan, GAN)
    assert int(gan.d_optimizer.iterations) == int(gan.g_optimizer.iterations) == gan_agreement.ITERATIONS
    result = gan_agreement.load(on_jax)
    np.testing.assert_array_equal(gan_agreement.values(gan.discriminator), result["fit_d"])
    np.testing.assert_array_equal(gan_agreement.values(gan.generator), result["fit_g"])
    # the same weights through another backend's convolutions: float32 rounding apart
    np.testing.assert_allclose(gan.generate(np.load(on_jax / "noise.npy")), np.load(on_jax / "drawings.npy"),
                               atol=1e-5)


@pytest.mark.torch
@needs_backend("torch")
def test_fit_matches_the_books_loop_on_pytorch(start, tmp_path):
    assert_the_two_ways_agree(gan_agreement.load(both_ways_on("torch", start, tmp_path)))


UNDER_A_STRATEGY = """
import json, math
import numpy as np, keras, tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
keras.config.set_dtype_policy("mixed_float16")
from zoo.gan import build_discriminator, build_gan, build_generator
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    discriminator = build_discriminator(depth=8)
    # a zero output layer calls every drawing 0.5: the first discriminator loss is ln 2 exactly
    discriminator.get_layer("predictions").set_weights([np.zeros((4 * 4 * 64, 1)), np.zeros(1)])
    gan = build_gan(discriminator, build_generator(depth=8), seed=0)
real = np.random.default_rng(0).uniform(0, 1, (8, 28, 28, 1)).astype("float32")
history = gan.fit(real, batch_size=8, epochs=1, verbose=0).history
print(json.dumps({"replicas": strategy.num_replicas_in_sync, "d_loss": history["d_loss"][0],
                  "optimizer": type(gan.d_optimizer).__name__, "ln2": math.log(2)}))
"""


@pytest.mark.slow  # a TensorFlow start-up with two logical CPUs: half a minute
def test_under_a_mirrored_strategy_and_mixed_float16_the_loss_is_reported_whole():
    # Keras divides each replica's loss by the number of replicas for the summed gradients;
    # the metric must be the loss itself, not half of it
    completed = run_python(UNDER_A_STRATEGY, backend="tensorflow")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["replicas"] == 2 and result["optimizer"] == "LossScaleOptimizer"
    assert result["d_loss"] == pytest.approx(result["ln2"], abs=1e-4)
