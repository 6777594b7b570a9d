"""Chapters 5, 8, 9 and LeNet: the builders match the book and keep the applications contract."""

import numpy as np
import pytest

import zoo
from zoo import build_deep_net, build_intermediate_net, build_lenet, build_regression_net, build_shallow_net
from zoo import recipes

MODELS = ["shallow_net", "intermediate_net", "deep_net", "regression_net", "lenet"]  # Part II and chapter 10


@pytest.mark.parametrize("name", MODELS)
def test_parameter_counts_equal_the_books(name):
    # the book's figure is the recipe's (pinned in tests/test_recipes.py)
    assert zoo.get(name)().count_params() == recipes.get(name).parameters[name]


def test_registry_lists_and_returns_builders():
    assert set(MODELS) <= set(zoo.names())
    assert zoo.get("lenet") is build_lenet
    with pytest.raises(ValueError, match="unknown model 'nope'"):
        zoo.get("nope")


def test_layers_are_the_books():
    deep = build_deep_net()
    kinds = [type(layer).__name__ for layer in deep.layers[1:]]
    assert kinds == ["Dense", "BatchNormalization"] * 3 + ["Dropout", "Dense"]
    assert deep.get_layer("dropout").rate == 0.2
    assert build_shallow_net().get_layer("hidden").activation.__name__ == "sigmoid"
    assert [layer.name for layer in build_lenet().layers if layer.weights] == ["block1_conv1", "block1_conv2", "fc1", "predictions"]


@pytest.mark.parametrize("call, argument", [
    (lambda: build_lenet(conv_dropout=1.5), "conv_dropout=1.5"),
    (lambda: build_lenet(num_classes=0), "num_classes=0"),
    (lambda: build_lenet(input_shape=(4, 4, 1)), "too small for LeNet"),
    (lambda: build_lenet(include_top=False, pooling="mean"), "pooling='mean'"),
    (lambda: build_deep_net(dropout=-0.1), "dropout=-0.1"),
    (lambda: build_intermediate_net(n_dense=0), "n_dense=0"),
    (lambda: build_regression_net(n_inputs=0), "n_inputs=0"),
])
def test_bad_arguments_name_the_argument(call, argument):
    with pytest.raises(ValueError, match=argument.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_headless_lenet_is_a_feature_extractor():
    assert build_lenet(include_top=False, pooling="avg").output_shape == (None, 64)
    assert build_lenet(include_top=False, pooling="max").output_shape == (None, 64)
    assert build_lenet(include_top=False).output_shape == (None, 12, 12, 64)


@pytest.mark.parametrize("file_name", ["full.weights.h5", "full.keras"])
def test_full_weights_load_into_the_headless_model_by_name(tmp_path, file_name):
    full = build_lenet()
    path = tmp_path / file_name
    full.save_weights(path) if file_name.endswith(".weights.h5") else full.save(path)
    headless = build_lenet(include_top=False, pooling="avg", weights=path)
    for name in ("block1_conv1", "block1_conv2"):
        for loaded, saved in zip(headless.get_layer(name).get_weights(), full.get_layer(name).get_weights()):
            np.testing.assert_array_equal(loaded, saved)
    images = np.random.default_rng(0).random((2, 28, 28, 1), dtype=np.float32)
    features = full.get_layer("block1_dropout").output
    import keras
    expected = keras.Model(full.input, keras.layers.GlobalAveragePooling2D()(features))(images)
    np.testing.assert_allclose(headless(images), expected, rtol=1e-5, atol=1e-6)


def test_missing_weights_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="weights="):
        build_lenet(weights=tmp_path / "absent.weights.h5")
