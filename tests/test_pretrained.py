"""The zoo's bundled trained models: their files match the registry, they load by name, and
each card's headline figure holds up on bundled data the weights never trained on."""

import numpy as np
import pytest

import zoo
from conftest import run_python
from zoo import pretrained
from zoo.datasets import SAMPLES_DIR, boston_housing

BUNDLED = [entry for entry in pretrained.available() if entry.bundled]

# builder settings other than the defaults that an entry was trained with (its card's hyperparameters)
BUILT_WITH = {("cartpole_q_network", "cartpole_v1"): {"n_dense": 64}}

# what each re-measurement must reach: a little below the card's figure, far above chance
MNIST_FLOORS = {"lenet": 0.985, "deep_net": 0.96, "intermediate_net": 0.96}


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
    model = zoo.get(entry.model)(weights=entry.name, **BUILT_WITH.get((entry.model, entry.name), {}))
    assert model.count_params() == card["parameters"]


def mnist_test_digits():
    """1,000 digits of MNIST's official test split, which the bundled weights were validated on, never trained on."""
    with np.load(SAMPLES_DIR / "mnist_test_sample.npz") as digits:
        return digits["x_test"].astype("float32") / 255.0, digits["y_test"]


@pytest.mark.parametrize("model_name, floor", MNIST_FLOORS.items())
def test_mnist_weights_classify_held_out_test_digits(model_name, floor):
    images, labels = mnist_test_digits()
    model = zoo.get(model_name)(weights="mnist")
    inputs = images[..., None] if model_name == "lenet" else images.reshape(len(images), -1)
    accuracy = float(np.mean(model.predict(inputs, verbose=0).argmax(axis=1) == labels))
    assert accuracy >= floor
    untrained = float(np.mean(zoo.get(model_name)().predict(inputs, verbose=0).argmax(axis=1) == labels))
    assert untrained < 0.5


def test_a_headless_lenet_takes_the_mnist_weights_of_the_full_model():
    images, _ = mnist_test_digits()
    full = zoo.build_lenet(weights="mnist")
    features = zoo.build_lenet(include_top=False, pooling="avg", weights="mnist")
    for layer in (layer for layer in features.layers if layer.weights):
        for kept, trained in zip(layer.get_weights(), full.get_layer(layer.name).get_weights()):
            np.testing.assert_array_equal(kept, trained)
    assert features.predict(images[:4, ..., None], verbose=0).shape == (4, 64)


def test_the_regression_weights_price_the_held_out_houses():
    (_, _), (x_valid, y_valid) = boston_housing.load_arrays(source="sample")
    model = zoo.build_regression_net(weights="boston_housing")
    rmse = float(np.sqrt(np.mean((model.predict(x_valid, verbose=0).ravel() - y_valid) ** 2)))
    card = pretrained.card("regression_net", "boston_housing")
    assert rmse == pytest.approx(np.sqrt(card["metrics"]["values"]["val_loss"]), rel=0.05)
    assert rmse < 9.0  # thousands of dollars; predicting the mean price misses by about 9.2


def test_the_shallow_net_weights_classify_held_out_test_digits():
    images, labels = mnist_test_digits()
    model = zoo.build_shallow_net(weights="mnist")
    assert float(np.mean(model.predict(images.reshape(len(images), -1), verbose=0).argmax(axis=1) == labels)) >= 0.8


@pytest.mark.parametrize("name, env_id, n_dense, floor", [
    ("cartpole_v0", "CartPole-v0", 32, 195), ("cartpole_v1", "CartPole-v1", 64, 475)])
def test_cartpole_weights_balance_the_pole_in_unseen_episodes(name, env_id, n_dense, floor):
    from zoo.dqn import DQNAgent, build_cartpole_q_network, evaluate, make_gym_env

    assert pretrained.card("cartpole_q_network", name)["hyperparameters"]["env"] == env_id
    agent = DQNAgent(build_cartpole_q_network(n_dense=n_dense, weights=name), epsilon=0.0, epsilon_min=0.0)
    # seeds far from the training run's (1), its greedy checks (10,001+) and its final evaluation (1,000,001)
    scores = evaluate(agent, lambda: make_gym_env(env_id), 20, seed=5_000_000)
    assert scores.mean() >= floor


def test_the_gutenberg_word_vectors_answer_the_books_queries():
    vectors = pretrained.load_word_vectors("gutenberg")
    assert len(vectors) > 5_000 and vectors.vector_size == 64
    assert "mother" in [word for word, _ in vectors.most_similar("father", topn=5)]
    assert vectors.doesnt_match("mother father sister brother dog".split()) == "dog"
    assert vectors.most_similar(positive=["husband", "woman"], negative=["man"], topn=1)[0][0] == "wife"


def test_the_doom_weights_shoot_the_monster_in_unseen_episodes():
    pytest.importorskip("vizdoom")
    from zoo import doom
    from zoo.dqn import DQNAgent, build_doom_q_network, evaluate

    card = pretrained.card("doom_q_network", "doom_simpler_basic")
    agent = DQNAgent(build_doom_q_network(weights="doom_simpler_basic"), epsilon=0.0, epsilon_min=0.0,
                     optimizer="rmsprop")
    # seeds far from training (1 + epoch), its per-epoch tests (10,000 + 1,000 x epoch) and the GIF's
    scores = evaluate(agent, lambda: doom.make_env("simpler_basic"), 10, seed=7_000_000, parallel=1)
    assert scores.mean() >= 50 and card["metrics"]["headline"]["value"] >= 70


# floors a little under what each file measured on the 1,000 test reviews (0.915, 0.957, 0.923, 0.923, 0.935, 0.943, 0.958, 0.943, 0.893)
@pytest.mark.parametrize("model_name, floor", [("dense_sentiment", 0.88), ("conv_sentiment", 0.92),
                                               ("lstm_sentiment", 0.90), ("gru_sentiment", 0.90),
                                               ("conv_lstm_sentiment", 0.91), ("stacked_bilstm_sentiment", 0.92),
                                               ("multi_convnet_sentiment", 0.93), ("bilstm_sentiment", 0.92),
                                               ("rnn_sentiment", 0.86)])
def test_imdb_weights_score_the_bundled_test_reviews(model_name, floor):
    from sklearn.metrics import roc_auc_score

    from zoo import recipes
    from zoo.datasets import imdb

    settings = recipes.get(model_name).data
    (_, _), (reviews, labels) = imdb.load_arrays(
        num_words=settings["n_unique_words"], skip_top=settings["n_words_to_skip"],
        max_review_length=settings["max_review_length"], padding=settings["padding"],
        truncating=settings["truncating"], source="sample")  # its validation half is from aclImdb's test split
    model = zoo.get(model_name)(weights="imdb")
    auc = roc_auc_score(labels, model.predict(reviews, verbose=0).ravel())
    assert auc >= floor


def test_the_apple_generator_draws_far_closer_to_real_apples_than_an_untrained_one():
    from zoo.datasets import quickdraw
    from zoo.gan import PixelFrechetDistance, sample_noise

    real = quickdraw.load_arrays("apple", "sample")
    quality = PixelFrechetDistance(real, n_samples=500, seed=11)  # another draw of real drawings than the card's
    noise = sample_noise(500, seed=12)
    trained = quality(zoo.build_generator(weights="quickdraw_apple").predict(noise, verbose=0))
    untrained = quality(zoo.build_generator().predict(noise, verbose=0))
    assert trained < 5 and trained * 10 < untrained


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
    assert f"`python scripts/export_weights.py RUN_DIR --name {name}" in message, message
