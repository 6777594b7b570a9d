"""VGG19 transfer learning (chapter 10): the frozen base, the ImageNet weights' cache and
offline branches, fine-tuning, the script, and transfer learning from a zoo model in
someone else's code."""

import keras
import numpy as np
import pytest

import zoo
from zoo.datasets import hotdog
from zoo.datasets import DataSourceError
from zoo.transfer import VGG19_NOTOP, build_vgg19_transfer, unfreeze_top_blocks
from zoo.vision import build_alexnet

SMALL = (32, 32, 3)  # VGG19's smallest input; its conv weights do not depend on the size


def n_params(weights):
    return int(sum(np.prod(w.shape) for w in weights))


def test_book_parameter_counts_base_frozen():
    model = build_vgg19_transfer(weights=None)
    base = model.get_layer("vgg19")
    assert base.count_params() == 20_024_384
    assert n_params(base.trainable_weights) == 0 and all(not layer.trainable for layer in base.layers)
    assert n_params(model.trainable_weights) == 50_178  # 7 * 7 * 512 * 2 + 2
    assert model.count_params() == 20_024_384 + 50_178
    assert zoo.get("vgg19_transfer") is build_vgg19_transfer


def test_unfreeze_top_blocks_opens_only_those_blocks():
    model = build_vgg19_transfer(input_shape=SMALL, weights=None)
    opened = unfreeze_top_blocks(model, 1)
    assert opened == ["block5_conv1", "block5_conv2", "block5_conv3", "block5_conv4"]
    head = 1 * 1 * 512 * 2 + 2  # at 32x32 the base ends in a 1x1x512 map
    assert n_params(model.trainable_weights) == head + 4 * (3 * 3 * 512 * 512 + 512)
    assert unfreeze_top_blocks(model, 0) == [] and n_params(model.trainable_weights) == head
    with pytest.raises(ValueError, match="n_blocks=6"):
        unfreeze_top_blocks(model, 6)


def test_imagenet_weights_load_from_the_keras_cache(tmp_path, monkeypatch):
    # a file with the structure of Keras' download, saved from a randomly initialised base
    keras.utils.set_random_seed(7)
    source = keras.applications.VGG19(include_top=False, weights=None, input_shape=SMALL)
    (tmp_path / "models").mkdir()
    source.save(tmp_path / "models" / VGG19_NOTOP)  # legacy HDF5, the format of Keras' VGG19 weights
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    model = build_vgg19_transfer(input_shape=SMALL, weights="imagenet")  # ZOO_OFFLINE=1: no network
    for name in ("block1_conv1", "block5_conv4"):
        for loaded, saved in zip(model.get_layer("vgg19").get_layer(name).get_weights(), source.get_layer(name).get_weights()):
            np.testing.assert_array_equal(loaded, saved)


def test_empty_cache_offline_is_one_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(DataSourceError) as caught:
        build_vgg19_transfer(input_shape=SMALL)
    message = str(caught.value)
    assert VGG19_NOTOP in message and str(tmp_path / "models") in message and "--base-weights none" in message
    assert "\n" not in message


def test_corrupt_cached_weights_are_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / VGG19_NOTOP).write_bytes(b"half a download")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(DataSourceError, match="delete it to download it again"):
        build_vgg19_transfer(input_shape=SMALL)


def test_bad_arguments_are_clear():
    with pytest.raises(ValueError, match="at least 32"):
        build_vgg19_transfer(input_shape=(16, 16, 3), weights=None)
    with pytest.raises(ValueError, match="3 channel"):
        build_vgg19_transfer(input_shape=(64, 64, 1), weights=None)
    with pytest.raises(ValueError, match="weights='resnet'"):
        build_vgg19_transfer(weights="resnet")
    assert build_vgg19_transfer(input_shape=SMALL, include_top=False, pooling="avg", weights=None).output_shape == (None, 512)


def test_saved_transfer_model_weights_reload(tmp_path):
    model = build_vgg19_transfer(input_shape=SMALL, weights=None)
    path = tmp_path / "transfer.weights.h5"
    model.save_weights(path)
    again = build_vgg19_transfer(input_shape=SMALL, weights=path)
    images = np.random.default_rng(0).uniform(0, 1, (2, *SMALL)).astype("float32")
    np.testing.assert_allclose(again.predict_on_batch(images), model.predict_on_batch(images), rtol=1e-6)


def test_downstream_transfer_learning_from_a_zoo_model(tmp_path):
    """What another project does: a zoo model without its top, saved weights, frozen, a new head."""
    shape = (195, 195, 3)
    keras.utils.set_random_seed(0)
    pretrained = build_alexnet(input_shape=shape)  # stands in for an AlexNet trained on Flowers 17
    pretrained.save_weights(tmp_path / "alexnet.weights.h5")

    features = build_alexnet(input_shape=shape, include_top=False, pooling="avg",
                             weights=tmp_path / "alexnet.weights.h5")
    features.trainable = False
    inputs = keras.Input(shape)
    outputs = keras.layers.Dense(2, activation="softmax")(features(inputs, training=False))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy")

    (x, y), _ = hotdog.load_arrays(image_size=shape[:2], source="sample")
    x, y = x[::2].astype("float32") / 255.0, keras.utils.to_categorical(y[::2], 2)
    frozen = [w.numpy().copy() for w in features.weights]
    losses = [float(model.train_on_batch(x, y)) for _ in range(8)]
    assert losses[-1] < losses[0]
    for before, after in zip(frozen, features.weights):  # the zoo model's weights did not move
        np.testing.assert_array_equal(before, after.numpy())
    np.testing.assert_array_equal(features.get_layer("block1_conv1").get_weights()[0],
                                  pretrained.get_layer("block1_conv1").get_weights()[0])


@pytest.mark.slow  # 20-30 s of subprocesses; the default suite keeps the simpler cases
def test_script_trains_and_fine_tunes_offline(script, tmp_path):
    out = tmp_path / "vgg19"
    _, result = script("train_vgg19_transfer.py", "--base-weights", "none", "--head-epochs", 1, "--epochs", 2,
                       "--image-size", 32, "--batch-size", 16, "--fine-tune-blocks", 1,
                       "--output-dir", out, "--seed", 0, "--quiet")
    assert result["model"] == "vgg19_transfer" and result["synthetic_data"] is True
    assert result["epochs"] == 2 and result["head_epochs"] == 1 and result["fine_tuned_layers"][0] == "block5_conv1"
    assert set(result["per_class_accuracy"]) == {"hot_dog", "not_hot_dog"}
    assert np.sum(result["confusion_matrix"]) == result["n_validation"] == 16
    assert (out / "confusion_matrix.png").is_file() and (out / "model.keras").is_file()


def test_script_offline_without_cached_weights_says_what_to_do(script, tmp_path):
    completed, result = script("train_vgg19_transfer.py", "--epochs", 1, "--output-dir", tmp_path / "run",
                               env={"KERAS_HOME": str(tmp_path / "empty")}, check=False)
    assert completed.returncode == 2 and result is None
    assert VGG19_NOTOP in completed.stderr and "--base-weights none" in completed.stderr
    assert "Traceback" not in completed.stderr


@pytest.mark.slow
def test_script_resumes_into_the_fine_tuning_phase(script, tmp_path):
    out = tmp_path / "vgg19"
    common = ("--base-weights", "none", "--head-epochs", 1, "--image-size", 32, "--batch-size", 16,
              "--fine-tune-blocks", 1, "--output-dir", out, "--seed", 0, "--quiet")
    script("train_vgg19_transfer.py", *common, "--epochs", 2)
    _, result = script("train_vgg19_transfer.py", *common, "--epochs", 3, "--resume")
    assert result["epochs"] == 3
    history = (out / "history.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in history[1:]] == ["0", "1", "2"]
    resumed = keras.models.load_model(out / "model.keras")
    assert resumed.get_layer("vgg19").get_layer("block5_conv1").trainable  # still in the fine-tuning phase
    assert not resumed.get_layer("vgg19").get_layer("block4_conv1").trainable
    # --head-epochs marks where fine-tuning begins: a resume may not move it
    moved = [2 if previous == "--head-epochs" else value for previous, value in zip(("", *common), common)]
    completed, _ = script("train_vgg19_transfer.py", *moved, "--epochs", 4, "--resume", check=False)
    assert completed.returncode == 2
    assert "--head-epochs 1, this command gives 2" in completed.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("argv, epochs", [
    ([], 16),  # the book's: the head only
    (["--fine-tune-blocks", "1"], 21),  # and 5 epochs of fine-tuning
    (["--head-epochs", "3", "--fine-tune-blocks", "2"], 8),
    (["--head-epochs", "3", "--epochs", "4", "--fine-tune-blocks", "2"], 4),
])
def test_epochs_default_to_the_heads_and_five_of_fine_tuning(argv, epochs):
    """--epochs is the epochs in all: unless given, --head-epochs plus 5 with --fine-tune-blocks."""
    from conftest import load_script, script_settings

    settings = load_script("train_vgg19_transfer.py").resolved(
        script_settings("train_vgg19_transfer.py", argv, load_backend=False))
    assert settings.epochs == epochs


def test_epochs_that_leave_nothing_to_fine_tune_are_refused():
    """With --fine-tune-blocks, --epochs at or below --head-epochs is a one-line usage error."""
    from conftest import load_script, script_settings
    from zoo import cli

    module = load_script("train_vgg19_transfer.py")
    settings = script_settings("train_vgg19_transfer.py", ["--fine-tune-blocks", "1", "--epochs", "16"],
                               load_backend=False)
    with pytest.raises(cli.UsageError, match="--epochs 16 leaves no epoch to fine-tune in.*--head-epochs 16"):
        module.resolved(settings)
