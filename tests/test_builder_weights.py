"""Builders' ``weights=``: the right file loads into every layer; anything else is one clear line."""

import inspect

import keras
import numpy as np
import pytest

import zoo
from zoo import build_deep_net, build_lenet, build_regression_net, build_shallow_net, build_vgg19_transfer
from conftest import one_line_error
from zoo.common import load_weights

SMALL_LENET = dict(input_shape=(8, 8, 1), n_conv_1=4, n_conv_2=8, n_dense=16)
SMALL_DEEP = dict(n_inputs=6, n_dense=5, num_classes=3)
SUFFIXES = [".weights.h5", ".keras"]


def randomized(model, seed=0):
    """``model`` with weights no fresh build has, so a load that silently does nothing fails."""
    rng = np.random.default_rng(seed)
    model.set_weights([np.abs(rng.normal(size=w.shape)).astype(w.dtype) + 0.5 for w in model.get_weights()])
    return model


def save(model, path):
    model.save_weights(path) if str(path).endswith(".weights.h5") else model.save(path)
    return path


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("builder, arguments, inputs", [
    (build_lenet, SMALL_LENET, (3, 8, 8, 1)),
    (build_deep_net, SMALL_DEEP, (3, 6)),  # batch-normalised: the moving statistics load too
])
def test_the_models_own_file_loads_with_identical_predictions(tmp_path, builder, arguments, inputs, suffix):
    saved = randomized(builder(**arguments))
    path = save(saved, tmp_path / f"model{suffix}")
    loaded = builder(**arguments, weights=path)
    x = np.random.default_rng(1).random(inputs, dtype=np.float32)
    np.testing.assert_array_equal(loaded.predict_on_batch(x), saved.predict_on_batch(x))


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_the_full_models_file_loads_into_the_headless_model(tmp_path, suffix):
    full = randomized(build_lenet(**SMALL_LENET))
    path = save(full, tmp_path / f"lenet{suffix}")
    headless = build_lenet(**SMALL_LENET, include_top=False, pooling="avg", weights=path)
    features = keras.Model(full.input, keras.layers.GlobalAveragePooling2D()(full.get_layer("block1_dropout").output))
    x = np.random.default_rng(1).random((3, 8, 8, 1), dtype=np.float32)
    np.testing.assert_allclose(headless.predict_on_batch(x), features.predict_on_batch(x), rtol=1e-6)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_another_architectures_file_names_the_layers_it_lacks(tmp_path, suffix):
    path = save(build_regression_net(), tmp_path / f"regression{suffix}")
    message = one_line_error(lambda: build_lenet(**SMALL_LENET, weights=path), f"weights={str(path)!r}", "'lenet'")
    assert "block1_conv1" in message and "block1_conv2" in message


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_dense_net_refuses_a_convnets_file(tmp_path, suffix):
    path = save(build_lenet(**SMALL_LENET), tmp_path / f"lenet{suffix}")
    one_line_error(lambda: build_shallow_net(n_inputs=6, n_dense=5, weights=path), "weights=", "hidden")


@pytest.mark.parametrize("suffix, layer", [(".weights.h5", "block1_conv2 (layers/conv2d_1)"), (".keras", "block1_conv2")])
def test_different_shapes_name_the_layer_and_both_shapes(tmp_path, suffix, layer):
    path = save(build_lenet(**SMALL_LENET), tmp_path / f"lenet{suffix}")
    narrower = {**SMALL_LENET, "n_conv_2": 6}
    one_line_error(lambda: build_lenet(**narrower, weights=path),
                   "weights=", f"layer {layer}: file has (3, 3, 4, 8), model needs (3, 3, 4, 6)")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_headless_models_file_does_not_fill_the_full_model(tmp_path, suffix):
    path = save(build_lenet(**SMALL_LENET, include_top=False), tmp_path / f"features{suffix}")
    message = one_line_error(lambda: build_lenet(**SMALL_LENET, weights=path), "weights=")
    assert "fc1" in message and "predictions" in message


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_truncated_file_cannot_be_read(tmp_path, suffix):
    path = save(build_lenet(**SMALL_LENET), tmp_path / f"lenet{suffix}")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    one_line_error(lambda: build_lenet(**SMALL_LENET, weights=path), f"weights={str(path)!r}: cannot read {path} (")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_file_that_is_not_keras_cannot_be_read(tmp_path, suffix):
    path = tmp_path / f"notes{suffix}"
    path.write_text("not a model")
    one_line_error(lambda: build_lenet(**SMALL_LENET, weights=path), "weights=", "cannot read")


def test_an_hdf5_file_without_keras_layers_cannot_be_read(tmp_path):
    import h5py

    path = tmp_path / "empty.weights.h5"
    with h5py.File(path, "w") as file:
        file["data"] = np.zeros(3)
    one_line_error(lambda: build_lenet(**SMALL_LENET, weights=path), "weights=", "cannot read", "no Keras layers")


@pytest.mark.parametrize("weights, expected", [
    ("absent.weights.h5", "no such file"),
    ("absent.keras", "no such file"),
    ("model.h5", "expected None or a .weights.h5/.keras file"),
    (3, "weights=3 is invalid"),
])
def test_a_missing_file_or_another_kind_of_value_is_a_clear_error(tmp_path, weights, expected):
    if isinstance(weights, str):
        weights = tmp_path / weights
    one_line_error(lambda: load_weights(build_shallow_net(n_inputs=6, n_dense=5), weights), "weights=", expected)


def test_every_builder_but_the_gan_takes_weights_through_the_one_loader():
    for name in zoo.names():
        builder = zoo.get(name)
        if name == "gan":  # built from a discriminator and a generator, which take weights
            continue
        assert "weights" in inspect.signature(builder).parameters, name
        assert builder.__globals__["load_weights"] is load_weights, name
        assert "load_weights(" in inspect.getsource(builder), name


def test_a_vgg19_base_file_that_cannot_be_read_does_not_advise_a_download(tmp_path):
    path = tmp_path / "my_vgg19_notop.h5"
    path.write_text("not HDF5")
    message = one_line_error(lambda: build_vgg19_transfer(input_shape=(32, 32, 3), weights=path),
                             f"weights={str(path)!r}: cannot read {path}")
    assert "download" not in message


def test_a_mismatch_only_keras_sees_is_rephrased_to_one_line(tmp_path, monkeypatch):
    path = save(build_lenet(**SMALL_LENET), tmp_path / "lenet.weights.h5")

    def keras_error(self, filepath):  # the shape of Keras 3's error, values and all
        raise ValueError("A total of 1 objects could not be loaded. Example error message for object "
                         "<Bidirectional name=bilstm>:\n\nThe shape of the target variable and the shape of "
                         "the target value in `variable.assign(value)` must match. variable.shape=(4, 8), "
                         "Received: value.shape=(8, 4). Target variable: <Variable value=[[0.1\n 0.2]]>\n\n"
                         "List of objects that could not be loaded:\n[<Bidirectional name=bilstm>]")

    monkeypatch.setattr(keras.Model, "load_weights", keras_error)
    message = one_line_error(lambda: build_lenet(**SMALL_LENET, weights=path), f"weights={str(path)!r}",
                             "variable.shape=(4, 8), Received: value.shape=(8, 4)")
    assert "Target variable" not in message
