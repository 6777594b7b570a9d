"""Chapter 12: the Quick, Draw! loader, the book's GAN networks, its two-phase train_step and train_gan.py."""

import json

import keras
import numpy as np
import pytest

import zoo
from zoo import gan as zoo_gan
from zoo.datasets import quickdraw
from zoo.datasets import DataSourceError
from zoo.gan import GAN, PixelFrechetDistance, build_discriminator, build_generator, frechet_distance

# pytest-xdist (--dist loadgroup): its module fixtures (the GAN runs) are made once, on one worker
pytestmark = pytest.mark.xdist_group('test_gan')

SAMPLE = quickdraw.load_arrays("apple", source="sample")


# ----------------------------------------------------------------------------- data

def test_bundled_sample_is_real_apple_drawings():
    assert SAMPLE.shape == (3000, 28, 28) and SAMPLE.dtype == np.uint8
    assert SAMPLE.max() == 255 and 0.15 < (SAMPLE > 0).mean() < 0.4  # sparse strokes, as Quick, Draw! bitmaps
    assert len(np.unique(SAMPLE.reshape(3000, -1), axis=0)) == 3000


def test_load_gives_full_batches_in_unit_range():
    loaded = quickdraw.load("apple", batch_size=32, source="sample", max_examples=100, seed=1)
    train, validation = loaded
    assert validation is None and loaded.info.source == "sample" and loaded.info.n_train == 100
    batches = [batch.numpy() for batch in train.take(5)]  # endless: 5 batches from 100 drawings
    assert all(batch.shape == (32, 28, 28, 1) and batch.dtype == np.float32 for batch in batches)
    assert min(b.min() for b in batches) == 0.0 and max(b.max() for b in batches) == 1.0


@pytest.mark.parametrize("file_name, shape", [("apple.npy", (50, 784)), ("full_numpy_bitmap_apple.npy", (50, 1, 784))])
def test_full_file_from_data_dir(tmp_path, file_name, shape):
    np.save(tmp_path / file_name, SAMPLE[:50].reshape(shape))
    images, info = quickdraw.load_arrays("apple", source="full", data_dir=tmp_path, return_info=True)
    assert info.source == "full" and info.origin == str(tmp_path / file_name)
    np.testing.assert_array_equal(images, SAMPLE[:50])
    assert quickdraw.load_arrays("apple", source="full", data_dir=tmp_path, max_examples=7).shape == (7, 28, 28)


def test_category_from_the_keras_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    np.save(tmp_path / "datasets" / "cat.npy", SAMPLE[:20].reshape(20, 784))
    kind, path = quickdraw.locate("cat", source="auto")
    assert kind == "full" and path.name == "cat.npy"


def test_unknown_category_offline_is_one_clear_error():
    with pytest.raises(DataSourceError, match=r"provide cat.npy or full_numpy_bitmap_cat.npy"):
        quickdraw.load_arrays("cat")
    with pytest.raises(DataSourceError, match="no bundled sample for category 'cat'"):
        quickdraw.load_arrays("cat", source="sample")
    with pytest.raises(DataSourceError, match="category"):
        quickdraw.load_arrays("../apple")


@pytest.mark.parametrize("array, message", [
    (np.zeros((10, 100), np.uint8), r"shape \(10, 100\)"),
    (np.zeros((0, 784), np.uint8), r"shape \(0, 28, 28\)"),
    (np.full((3, 784), 300.0), "outside 0..255"),
])
def test_wrong_files_are_clear_errors(tmp_path, array, message):
    np.save(tmp_path / "apple.npy", array)
    with pytest.raises(DataSourceError, match=message):
        quickdraw.load_arrays("apple", source="full", data_dir=tmp_path)


def test_corrupt_file_and_too_small_batches(tmp_path):
    (tmp_path / "apple.npy").write_bytes(b"not numpy at all")
    with pytest.raises(DataSourceError, match="cannot read"):
        quickdraw.load_arrays("apple", data_dir=tmp_path)
    with pytest.raises(DataSourceError, match="lower --batch-size"):
        quickdraw.load("apple", batch_size=64, source="sample", max_examples=10)


# ----------------------------------------------------------------------------- networks

def test_parameter_counts_equal_the_books():
    assert zoo.get("discriminator")().count_params() == 4_311_553
    assert zoo.get("generator")().count_params() == 183_713


def test_layers_are_the_books():
    discriminator = build_discriminator()
    convs = [layer for layer in discriminator.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [(c.filters, c.kernel_size, c.strides, c.padding) for c in convs] == [
        (64, (5, 5), (2, 2), "same"), (128, (5, 5), (2, 2), "same"), (256, (5, 5), (2, 2), "same"),
        (512, (5, 5), (1, 1), "same")]
    assert [layer.rate for layer in discriminator.layers if isinstance(layer, keras.layers.Dropout)] == [0.4] * 4
    generator = build_generator()
    kinds = [type(layer).__name__ for layer in generator.layers[1:]]
    assert kinds == ["Dense", "BatchNormalization", "Activation", "Reshape", "Dropout",
                     "UpSampling2D", "Conv2DTranspose", "BatchNormalization", "Activation",
                     "UpSampling2D", "Conv2DTranspose", "BatchNormalization", "Activation",
                     "Conv2DTranspose", "BatchNormalization", "Activation", "Conv2D"]
    assert [l.filters for l in generator.layers if isinstance(l, keras.layers.Conv2DTranspose)] == [32, 16, 8]
    assert {l.momentum for l in generator.layers if isinstance(l, keras.layers.BatchNormalization)} == {0.9}


def test_generator_draws_28x28_images_in_unit_range():
    generator = build_generator()
    noise = np.concatenate([np.random.default_rng(0).uniform(-1, 1, (6, 32)), np.full((2, 32), 50.0)])
    images = generator.predict(noise.astype("float32"), verbose=0)
    assert images.shape == (8, 28, 28, 1)
    assert images.min() >= 0.0 and images.max() <= 1.0


@pytest.mark.parametrize("call, argument", [
    (lambda: build_discriminator(dropout=1.5), "dropout=1.5"),
    (lambda: build_discriminator(input_shape=(28, 28)), "input_shape"),
    (lambda: build_generator(z_dim=0), "z_dim=0"),
    (lambda: build_generator(depth=12), "depth=12"),
    (lambda: build_generator(momentum=1.0), "momentum=1.0"),
    (lambda: build_generator(seed=-1), "seed=-1"),
    (lambda: build_discriminator(seed="1"), "seed='1'"),
    (lambda: GAN(build_discriminator(input_shape=(32, 32, 1)), build_generator()), "does not match"),
    (lambda: zoo_gan.build_gan(loss="mse"), "loss='mse'"),
])
def test_bad_arguments_name_the_argument(call, argument):
    with pytest.raises(ValueError, match=argument.replace("(", r"\(").replace(")", r"\)")):
        call()


@pytest.mark.parametrize("make, rate, decay", [
    (zoo_gan.discriminator_optimizer, 0.0008, 6e-8),
    (zoo_gan.adversarial_optimizer, 0.0004, 3e-8),
])
def test_book_optimisers_decay_as_keras_2_did(make, rate, decay):
    optimizer = make()
    config = optimizer.get_config()
    assert isinstance(optimizer, keras.optimizers.RMSprop) and config["clipvalue"] == 1.0
    schedule = keras.optimizers.schedules.deserialize(config["learning_rate"])
    for step in (0, 1000, 10**6):  # Keras 2: lr / (1 + decay * iterations)
        assert float(schedule(step)) == pytest.approx(rate / (1 + decay * step), rel=1e-6)


# ----------------------------------------------------------------------------- the two phases

def _values(model):
    return [weight.numpy().copy() for weight in model.weights]  # not dropout seeds (variables)


def _changed(before, model):
    return [not np.array_equal(old, new.numpy()) for old, new in zip(before, model.weights)]


@pytest.fixture(scope="module")
def small_gan():
    keras.utils.set_random_seed(0)
    return zoo_gan.build_gan(seed=0)


def test_discriminator_phase_leaves_the_generator_untouched(small_gan):
    real = SAMPLE[:4, ..., None].astype("float32") / 255.0
    generator, discriminator = _values(small_gan.generator), _values(small_gan.discriminator)
    small_gan.discriminator_step(real)
    assert not any(_changed(generator, small_gan.generator))  # weights and batch-norm statistics
    assert all(_changed(discriminator, small_gan.discriminator))  # every kernel and bias learned


def test_adversarial_phase_leaves_the_discriminator_untouched(small_gan):
    generator, discriminator = _values(small_gan.generator), _values(small_gan.discriminator)
    small_gan.adversarial_step(4)
    assert not any(_changed(discriminator, small_gan.discriminator))
    trainable = {id(v) for v in small_gan.generator.trainable_variables}
    changed = dict(zip((id(v) for v in small_gan.generator.weights), _changed(generator, small_gan.generator)))
    assert all(changed[key] for key in trainable)


@pytest.mark.slow
def test_discriminator_learns_real_from_generated():
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    model = zoo_gan.build_gan(seed=0)
    real = SAMPLE[100:116, ..., None].astype("float32") / 255.0
    step = tf.function(model.discriminator_step)
    for _ in range(20):  # not monotonic: RMSprop overshoots now and then, as in the book's curves
        step(real)
    fake = model.generator(zoo_gan.sample_noise(16, 32), training=False)
    assert float(ops_mean(model.discriminator(real))) > float(ops_mean(model.discriminator(fake))) + 0.3


def ops_mean(x):
    return keras.ops.mean(x)


def test_fit_reports_the_books_four_metrics_and_saves_and_reloads(tmp_path):
    keras.utils.set_random_seed(1)
    model = zoo_gan.build_gan(seed=1)
    train, _ = quickdraw.load("apple", batch_size=4, source="sample", max_examples=40)
    history = model.fit(train, epochs=1, steps_per_epoch=2, verbose=0).history
    assert set(history) == {"d_loss", "d_accuracy", "a_loss", "a_accuracy"}
    assert all(np.isfinite(value[0]) for value in history.values())
    model.save(tmp_path / "gan.keras")
    reloaded = keras.models.load_model(tmp_path / "gan.keras")
    assert isinstance(reloaded, GAN) and int(reloaded.g_optimizer.iterations) == 2
    noise = np.random.default_rng(2).uniform(-1, 1, (3, 32)).astype("float32")
    np.testing.assert_allclose(reloaded.generate(noise), model.generate(noise), atol=1e-6)
    for saved, loaded in zip(model.d_optimizer.variables, reloaded.d_optimizer.variables):
        np.testing.assert_allclose(loaded.numpy(), saved.numpy())


# ----------------------------------------------------------------------------- quality figure

def test_pixel_frechet_distance_ranks_real_above_noise():
    quality = PixelFrechetDistance(SAMPLE[:600], n_samples=200, n_components=16)
    blank = np.zeros((200, 28, 28))
    noise = np.random.default_rng(0).uniform(0, 1, (200, 28, 28))
    assert quality.reference() < 0.1 * min(quality(blank), quality(noise))
    assert quality(SAMPLE[1000:1200] / 255.0) < 2 * quality.reference()
    assert frechet_distance(SAMPLE[:300].reshape(300, -1)[:, 300:310], SAMPLE[:300].reshape(300, -1)[:, 300:310]) == pytest.approx(0, abs=1e-6)


# ----------------------------------------------------------------------------- the script

@pytest.fixture(scope="module")
def gan_run(tmp_path_factory):
    from conftest import run_script

    folder = tmp_path_factory.mktemp("gan") / "run"
    # no --sample-interval: a one-iteration run is one interval, and the resumed run keeps it
    common = ["--batch-size", "8", "--max-examples", "200", "--seed", "3", "--output-dir", folder, "--quiet"]
    _, first = run_script("train_gan.py", "--iterations", "1", *common)
    first_rows = (folder / "iterations.csv").read_text().splitlines()
    _, resumed = run_script("train_gan.py", "--iterations", "2", "--resume", *common)
    return folder, first, first_rows, resumed


def test_short_run_writes_grids_plots_logs_models_and_resumes(gan_run):
    folder, first, first_rows, resumed = gan_run
    assert first["iterations"] == 1 and first["data"] == "sample" and first["n_train"] == 200
    assert {"d_loss", "d_accuracy", "a_loss", "a_accuracy", "pixel_fd", "pixel_fd_real", "pixel_fd_untrained"} <= set(first)
    assert first_rows[0] == "iteration,d_loss,d_accuracy,a_loss,a_accuracy" and len(first_rows) == 2
    # resume continued the count: iteration 1 kept, 2 added, a grid for each
    assert resumed["iterations"] == 2 and resumed["epochs"] == 2
    rows = (folder / "iterations.csv").read_text().splitlines()
    assert rows[:2] == first_rows and rows[2].startswith("2,") and len(rows) == 3
    assert sorted(p.name for p in (folder / "grids").iterdir()) == ["iteration_00001.png", "iteration_00002.png"]
    last = keras.models.load_model(folder / "checkpoints" / "last.keras")
    assert int(last.d_optimizer.iterations) == int(last.g_optimizer.iterations) == 2
    for name in ("losses.png", "accuracies.png", "generated.png", "learning_curves.png", "history.csv"):
        assert (folder / name).stat().st_size > 0
    assert any((folder / "logs").rglob("*.tfevents*")), "fit's TensorBoard logs"
    assert json.loads((folder / "metrics.json").read_text()) == resumed
    assert resumed["pixel_fd_untrained"] == first["pixel_fd_untrained"]  # kept from the first run


def test_the_record_of_a_gan_run_compares_its_generator_and_the_cards_on_the_same_noise_draws(gan_run, tmp_path):
    """scripts/record_run.py scores a GAN run's generator and the bundled card's on 8 fixed noise
    draws: a two-iteration generator is far behind the card's 2,000-iteration one."""
    import subprocess
    import sys

    from conftest import ROOT

    folder = gan_run[0]
    completed = subprocess.run([sys.executable, "scripts/record_run.py", str(folder), str(tmp_path / "gan.json")],
                               capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    draws = json.loads((tmp_path / "gan.json").read_text())["pixel_fd_over_noise_draws"]
    for generator in ("this_run", "card"):
        assert draws[generator]["draws"] == 8
        assert draws[generator]["min"] <= draws[generator]["mean"] <= draws[generator]["max"]
    assert draws["card"]["weights"] == "generator/quickdraw_apple" and draws["card"]["card_pixel_fd"] == 1.241
    assert draws["ratio_to_card"] > 5


def test_pixel_fd_over_draws_is_the_same_for_the_same_generator_and_draws():
    quality = PixelFrechetDistance(SAMPLE[:300], n_samples=100, seed=0)
    generator = build_generator()
    first, again = (zoo_gan.pixel_fd_over_draws(generator, quality, draws=3) for _ in range(2))
    assert first == again and first["min"] <= first["mean"] <= first["max"] and first["draws"] == 3
    assert zoo_gan.pixel_fd_over_draws(generator, quality, draws=3, first_seed=7)["mean"] != first["mean"]
    with pytest.raises(ValueError, match="draws=0 is invalid"):
        zoo_gan.pixel_fd_over_draws(generator, quality, draws=0)


def test_resume_with_another_batch_size_is_refused(gan_run, script):
    folder = gan_run[0]
    before = (folder / "metrics.json").read_text()
    completed, _ = script("train_gan.py", "--iterations", "3", "--resume", "--batch-size", "16", "--max-examples", "200",
                          "--seed", "3", "--output-dir", folder, "--quiet", check=False)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert "--batch-size 8, this command gives 16" in completed.stderr.strip().splitlines()[-1]
    assert (folder / "metrics.json").read_text() == before  # the run's metrics still claim its own batch


@pytest.mark.parametrize("argv, kept, interval", [
    ([], None, 100), (["--iterations", "4"], None, 4), (["--iterations", "6", "--sample-interval", "2"], None, 2),
    # a resumed run keeps the interval it started with, though --iterations grew past it
    (["--iterations", "20", "--resume"], 10, 10)])
def test_a_run_shorter_than_one_interval_is_one_interval(argv, kept, interval):
    """The iterations are whole --sample-interval intervals; a run of fewer iterations is one."""
    from conftest import load_script, script_settings

    settings = script_settings("train_gan.py", argv, load_backend=False)
    assert load_script("train_gan.py").grid_interval(settings, kept) == interval


@pytest.mark.parametrize("argv, kept, message", [
    (["--iterations", "150"], None, "--iterations 150 is not a multiple of the 100 .*--sample-interval"),
    (["--iterations", "25", "--resume"], 10, "--iterations 25 is not a multiple of the 10 .*--sample-interval")])
def test_iterations_that_are_not_whole_intervals_are_refused(argv, kept, message):
    """Iterations that are not whole intervals are a one-line usage error naming --sample-interval."""
    from conftest import load_script, script_settings
    from zoo import cli

    settings = script_settings("train_gan.py", argv, load_backend=False)
    with pytest.raises(cli.UsageError, match=message):
        load_script("train_gan.py").grid_interval(settings, kept)


def test_reloaded_generator_reproduces_the_saved_grid(gan_run):
    folder = gan_run[0]
    generator = keras.models.load_model(folder / "generator.keras")
    drawings = generator.predict(np.load(folder / "noise.npy"), verbose=0)
    np.testing.assert_allclose(drawings, np.load(folder / "drawings.npy"), atol=1e-5)
    discriminator = keras.models.load_model(folder / "discriminator.keras")
    assert discriminator.count_params() == 4_311_553


def test_generate_draws_new_images_from_a_saved_run(gan_run, dli_zoo, tmp_path):
    folder = gan_run[0]
    image = tmp_path / "five.png"
    result = dli_zoo("generate", folder, "--count", 5, "--seed", 7, "--out", image, "--quiet").ok()
    assert result["generated"] == 5 and result["image"] == str(image) and result["seed"] == 7
    assert result["weights"] == str(folder / "generator.keras") and result["model"] == "generator"
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_export_writes_both_networks_where_zoo_layers_was_never_imported(gan_run, dli_zoo, tmp_path, monkeypatch):
    """`dli-zoo export` of a GAN run writes the discriminator (--network discriminator) and, by
    default, the generator and the discriminator, even while zoo.layers.Conv2D is unregistered, as
    in a fresh `dli-zoo` process, which never imports zoo.layers; the exported weights are the run's."""
    from zoo import saving

    folder = gan_run[0]
    monkeypatch.delitem(keras.saving.get_custom_objects(), "zoo>Conv2D")
    alone = dli_zoo("export", folder, "--network", "discriminator", "--into", tmp_path / "alone", "--quiet").ok()
    assert [row["model"] for row in alone["exported"]] == ["discriminator"]
    both = dli_zoo("export", folder, "--into", tmp_path / "both", "--quiet").ok()
    assert [row["model"] for row in both["exported"]] == ["generator", "discriminator"]
    run_network = saving.load_model(folder / "discriminator.keras", compile=False)
    for into, result in (("alone", alone), ("both", both)):
        exported = build_discriminator(weights=str(tmp_path / into / result["exported"][-1]["file"]))
        for saved, loaded in zip(run_network.weights, exported.weights):
            np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded), keras.ops.convert_to_numpy(saved))


@pytest.mark.slow  # a TensorFlow start-up just for an error line; the loader tests cover the message
def test_unknown_category_offline_exits_with_one_line(tmp_path, script):
    completed, result = script("train_gan.py", "--category", "cat", "--iterations", "5", "--output-dir",
                               tmp_path / "cat", check=False)
    assert completed.returncode == 2 and result is None
    assert completed.stderr.strip().splitlines()[-1].startswith("error: full quickdraw cat data not found")
    assert "Traceback" not in completed.stderr


def test_the_books_loop_trains_each_network_only_in_its_own_phase():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    real = quickdraw.load_arrays("apple", source="sample", max_examples=64)[..., None].astype("float32") / 255.0
    discriminator, generator, adversarial = zoo_gan.book_models(
        build_discriminator(depth=8), build_generator(depth=8))
    before = [w.copy() for w in discriminator.get_weights()], [w.copy() for w in generator.get_weights()]
    (d_loss, d_accuracy), (a_loss, a_accuracy) = zoo_gan.book_iteration(
        real, discriminator, generator, adversarial, rng, batch_size=16)
    assert all(np.isfinite([d_loss, d_accuracy, a_loss, a_accuracy]))
    changed = lambda old, new: any(not np.array_equal(a, b) for a, b in zip(old, new))  # noqa: E731
    assert changed(before[0], discriminator.get_weights()) and changed(before[1], generator.get_weights())
    # the adversarial phase alone leaves the discriminator as the book's freezing did
    frozen = [w.copy() for w in discriminator.get_weights()]
    adversarial.train_on_batch(rng.uniform(-1, 1, (16, 32)), np.ones((16, 1)))
    assert not changed(frozen, discriminator.get_weights())
