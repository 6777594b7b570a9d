"""The zoo's bundled trained models: their files match the registry and load by name, and
``python -m zoo.pretrained verify`` re-measures every published card on the bundled samples, on
TensorFlow and on JAX: held-out data for the classifiers and the regression (data the weights
never trained on), fresh episodes for the agents, the book's queries for the word vectors, and
for the GAN's generator the very apples it trained on (as FID usually is)."""

import numpy as np
import pytest

import zoo
from conftest import run_python
from zoo import pretrained
from zoo.datasets import SAMPLES_DIR

BUNDLED = [entry for entry in pretrained.available() if entry.bundled]


def test_the_registry_answers_after_a_bare_import_zoo_without_loading_keras():
    """The README's `import zoo; zoo.pretrained.card(...)`: the registry is a submodule that
    loads on first use, and reading it needs no backend."""
    completed = run_python("import sys, zoo\n"
                           "print(zoo.pretrained.card('lenet', 'mnist')['name'], 'keras' in sys.modules)")
    assert completed.stdout.split() == ["mnist", "False"]


def test_the_package_bundles_trained_models_within_the_size_budget():
    assert {(entry.model, entry.name) for entry in BUNDLED} >= {
        ("lenet", "mnist"), ("deep_net", "mnist"), ("intermediate_net", "mnist"), ("regression_net", "boston_housing")}
    sizes = [entry.size for entry in BUNDLED]
    assert max(sizes) <= 6_000_000 and sum(sizes) <= 40_000_000


@pytest.mark.parametrize("entry", BUNDLED, ids=lambda entry: f"{entry.model}.{entry.name}")
def test_each_bundled_file_matches_its_entry_and_loads_by_name(entry):
    path = pretrained.resolve(entry.model, entry.name)
    assert path.stat().st_size == entry.size and pretrained.sha256_of(path) == entry.sha256
    card = pretrained.card(entry.model, entry.name)
    for key in ("command", "metrics", "book", "hyperparameters", "data", "seed", "versions", "hardware",
                "wall_time_s", "licence", "intended_use", "limitations"):
        assert card.get(key) is not None, key
    assert "DATA_DIR" in card["command"] or "--data-dir" not in card["command"]  # no trainer's own folders
    if entry.model == "word2vec":  # word vectors, not a Keras model
        vectors = pretrained.load_word_vectors(entry.name)
        assert len(vectors) * vectors.vector_size == card["parameters"]
        return
    model = zoo.get(entry.model)(weights=entry.name, **card["verify"]["build"])
    assert model.count_params() == card["parameters"]


def test_a_headless_lenet_takes_the_mnist_weights_of_the_full_model():
    with np.load(SAMPLES_DIR / "mnist_test_sample.npz") as digits:
        images = digits["x_test"][:4].astype("float32") / 255.0
    full = zoo.build_lenet(weights="mnist")
    features = zoo.build_lenet(include_top=False, pooling="avg", weights="mnist")
    for layer in (layer for layer in features.layers if layer.weights):
        for kept, trained in zip(layer.get_weights(), full.get_layer(layer.name).get_weights()):
            np.testing.assert_array_equal(kept, trained)
    assert features.predict(images[..., None], verbose=0).shape == (4, 64)


@pytest.mark.parametrize("model_name, name, script", [("discriminator", "quickdraw_apple", "train_gan.py"),
                                                      ("alexnet", "flowers17", "train_alexnet.py")])
def test_a_registered_entry_without_its_file_says_how_to_make_it(model_name, name, script, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # an empty Keras cache, and offline: nowhere to find the file
    monkeypatch.setenv("ZOO_OFFLINE", "1")
    monkeypatch.delenv("ZOO_WEIGHTS_DIR", raising=False)
    entry = pretrained.get(model_name, name)
    assert not entry.bundled and entry.size > 6_000_000
    assert not entry.published and name not in pretrained.names(model_name)  # listed only once it can be had
    with pytest.raises(ValueError) as caught:
        zoo.get(model_name)(weights=name)
    message = str(caught.value)
    assert "\n" not in message and entry.file in message and f"python scripts/{script}" in message, message
    # how long that command took (from the card), and the export that gives the user's run this name
    assert f"({pretrained.training_time(entry.card)})" in message and " min on " in message, message
    assert f"`dli-zoo export RUN_DIR --name {name}" in message, message
