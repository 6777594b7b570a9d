"""AlexNet and VGGNet (chapter 10): the book's parameter counts, input checks, headless use,
a few training steps on the bundled Flowers 17 photos, and the training scripts (VGGNet's: slow)."""

import json

import keras
import numpy as np
import pytest

import zoo
from zoo import recipes
from zoo.datasets import flowers17
from zoo.vision import build_alexnet, build_vggnet

ALEXNET_MIN, VGGNET_MIN = 195, 212  # smallest inputs their strides and pools allow


@pytest.fixture(scope="module")
def flowers_195():
    """A few bundled Flowers 17 photos at AlexNet's smallest size, scaled as the book does."""
    (x, y), _ = flowers17.load_arrays(image_size=ALEXNET_MIN, source="sample", seed=0)
    return x[:8].astype("float32") / 255.0, keras.utils.to_categorical(y[:8], 17)


def test_book_parameter_counts():
    assert build_alexnet().count_params() == 21_883_153
    assert build_vggnet().count_params() == 33_672_785
    assert zoo.get("alexnet") is build_alexnet and zoo.get("vggnet") is build_vggnet
    assert recipes.get("alexnet").batch_size == 64 and recipes.get("vggnet").epochs == 250


@pytest.mark.parametrize("builder, smallest", [(build_alexnet, ALEXNET_MIN), (build_vggnet, VGGNET_MIN)])
def test_input_too_small_names_the_smallest_size(builder, smallest):
    with pytest.raises(ValueError, match=f"at least {smallest}"):
        builder(input_shape=(smallest - 1, 300, 3))
    assert builder(input_shape=(smallest, smallest, 3), include_top=False).output_shape[1:3] == (1, 1)


def test_bad_arguments_are_clear():
    with pytest.raises(ValueError, match="dropout=1.5"):
        build_alexnet(dropout=1.5)
    with pytest.raises(ValueError, match="num_classes=0"):
        build_vggnet(num_classes=0)
    with pytest.raises(ValueError, match="pooling='min'"):
        build_alexnet(include_top=False, pooling="min")
    with pytest.raises(ValueError, match="input_shape"):
        build_vggnet(input_shape=(224, 224))


def test_headless_feature_shapes_and_named_blocks():
    assert build_alexnet(include_top=False, pooling="avg").output_shape == (None, 384)
    assert build_vggnet(include_top=False, pooling="max").output_shape == (None, 512)
    assert build_alexnet(include_top=False).output_shape == (None, 1, 1, 384)  # the book flattens 384 features
    names = [layer.name for layer in build_vggnet(input_shape=(VGGNET_MIN, VGGNET_MIN, 3)).layers]
    assert names[1:5] == ["block1_conv1", "block1_conv2", "block1_pool", "block1_bn"]
    assert names[-1] == "predictions"


@pytest.mark.parametrize("suffix", [".weights.h5", ".keras"])
def test_full_model_weights_load_into_the_headless_one(tmp_path, flowers_195, suffix):
    shape = (ALEXNET_MIN, ALEXNET_MIN, 3)
    full = build_alexnet(input_shape=shape, num_classes=5)
    path = tmp_path / f"alexnet{suffix}"
    full.save_weights(path) if suffix == ".weights.h5" else full.save(path)
    headless = build_alexnet(input_shape=shape, include_top=False, pooling="avg", weights=path)
    features = keras.Model(full.input, keras.layers.GlobalAveragePooling2D()(full.get_layer("block3_bn").output))
    images = flowers_195[0][:2]
    np.testing.assert_allclose(headless.predict_on_batch(images), features.predict_on_batch(images), rtol=1e-5, atol=1e-5)


def test_alexnet_short_run_lowers_the_loss(flowers_195):
    keras.utils.set_random_seed(0)
    model = recipes.get("alexnet").build_compiled(input_shape=(ALEXNET_MIN, ALEXNET_MIN, 3))
    images, labels = flowers_195
    losses = [float(model.train_on_batch(images, labels)[0]) for _ in range(6)]
    assert all(np.isfinite(losses))
    assert losses[-1] < losses[0]


def test_vggnet_one_training_step_is_finite(flowers_195):
    keras.utils.set_random_seed(0)
    model = recipes.get("vggnet").build_compiled(input_shape=(VGGNET_MIN, VGGNET_MIN, 3))
    images = keras.ops.image.resize(flowers_195[0][:2], (VGGNET_MIN, VGGNET_MIN))
    before = [w.numpy().copy() for w in model.get_layer("block1_conv1").weights]
    loss = float(model.train_on_batch(images, flowers_195[1][:2])[0])
    assert np.isfinite(loss)
    assert not np.allclose(before[0], model.get_layer("block1_conv1").weights[0].numpy())


def test_alexnet_script_one_epoch_writes_its_artifacts(script, tmp_path):
    out = tmp_path / "alexnet"
    _, result = script("train_alexnet.py", "--epochs", 1, "--batch-size", 8, "--steps-per-epoch", 2,
                       "--image-size", ALEXNET_MIN, "--output-dir", out, "--seed", 1, "--quiet")
    assert result["model"] == "alexnet" and result["data"] == "sample" and result["epochs"] == 1
    assert np.isfinite(result["val_loss"])
    assert set(result["per_class_accuracy"]) == set(flowers17.CLASS_NAMES)
    assert np.sum(result["confusion_matrix"]) == result["n_validation"]
    for name in ("model.keras", "history.csv", "confusion_matrix.png", "learning_curves.png", "metrics.json"):
        assert (out / name).is_file(), name
    assert json.loads((out / "metrics.json").read_text()) == result


def test_script_rejects_an_image_size_alexnet_cannot_take(script, tmp_path):
    completed, result = script("train_alexnet.py", "--image-size", 64, "--output-dir", tmp_path / "x", check=False)
    assert completed.returncode == 2 and result is None
    assert "at least 195" in completed.stderr and "Traceback" not in completed.stderr


@pytest.mark.slow
def test_vggnet_script_one_epoch(script, tmp_path):
    out = tmp_path / "vggnet"
    _, result = script("train_vggnet.py", "--epochs", 1, "--batch-size", 2, "--steps-per-epoch", 1,
                       "--image-size", VGGNET_MIN, "--output-dir", out, "--quiet", timeout=900)
    assert result["model"] == "vggnet" and np.isfinite(result["val_loss"])
    assert (out / "confusion_matrix.png").is_file()
