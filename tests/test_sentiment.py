"""The nine IMDb classifiers: the book's parameter counts, training, reload, and the script."""

import json

import keras
import numpy as np
import pytest

import zoo
from zoo import recipes, sentiment
from zoo.datasets import imdb

# chapter 11's notebooks, in the book's order (their figures: zoo.recipes, docs/book_reference.md)
MODELS = ["dense_sentiment", "conv_sentiment", "rnn_sentiment", "lstm_sentiment", "bilstm_sentiment",
          "stacked_bilstm_sentiment", "conv_lstm_sentiment", "gru_sentiment", "multi_convnet_sentiment"]
BOOK_EPOCHS = {"rnn_sentiment": 16, "bilstm_sentiment": 6}
# each notebook's vocabulary / words skipped / review length
BOOK_DATA = {"dense_sentiment": (5000, 50, 100), "conv_sentiment": (5000, 0, 400),
             "multi_convnet_sentiment": (5000, 0, 400), "bilstm_sentiment": (10000, 0, 200),
             "stacked_bilstm_sentiment": (10000, 0, 200), "conv_lstm_sentiment": (10000, 0, 200)}
ARCHS = list(sentiment.ARCHITECTURES)


@pytest.mark.parametrize("name", MODELS)
def test_parameter_counts_equal_the_book(name):
    model = zoo.get(name)()
    recipe = recipes.get(name)
    assert model.count_params() == recipe.parameters[name]  # the book's, pinned in tests/test_recipes.py
    assert model.name == name
    assert model.output_shape == (None, 1) and model.layers[-1].activation.__name__ == "sigmoid"
    assert (recipe.loss, recipe.batch_size, recipe.epochs) == ("binary_crossentropy", 128, BOOK_EPOCHS.get(name, 4))
    assert recipe.reference.metric == "roc_auc" and 0.8 < recipe.reference.value < 1
    data = recipe.data
    assert (data["n_unique_words"], data["n_words_to_skip"], data["max_review_length"]) == BOOK_DATA.get(
        name, (10000, 0, 100))
    assert (data["padding"], data["truncating"]) == ("pre", "pre")


def test_every_arch_has_a_registered_builder():
    assert [f.__name__ for f in sentiment.ARCHITECTURES.values()] == [f"build_{n}" for n in MODELS]
    assert set(MODELS) <= set(zoo.names())


def test_hyperparameters_change_the_model():
    model = sentiment.build_conv_sentiment(n_unique_words=1000, max_review_length=50, n_dim=16, n_conv=8,
                                           k_conv=5, n_dense=4)
    assert model.input_shape == (None, 50)
    assert model.count_params() == 1000 * 16 + (5 * 16 * 8 + 8) + (8 * 4 + 4) + 5


@pytest.mark.parametrize("builder, arguments, message", [
    (sentiment.build_dense_sentiment, {"n_unique_words": 0}, "n_unique_words=0"),
    (sentiment.build_lstm_sentiment, {"drop_lstm": 1.5}, "drop_lstm=1.5"),
    (sentiment.build_conv_sentiment, {"max_review_length": 2}, "max_review_length=2 is too short"),
    (sentiment.build_conv_lstm_sentiment, {"max_review_length": 5}, "max_review_length=5 is too short"),
    (sentiment.build_multi_convnet_sentiment, {"k_conv_3": 0}, "k_conv_3=0"),
    (sentiment.build_gru_sentiment, {"n_dim": "64"}, "n_dim='64'"),
])
def test_bad_arguments_name_themselves(builder, arguments, message):
    with pytest.raises(ValueError, match=message):
        builder(**arguments)


def test_a_short_run_lowers_the_loss_and_reloads_identically(tmp_path):
    (x_train, y_train), _ = imdb.load_arrays(num_words=1000, max_review_length=60, source="sample",
                                             max_examples=256)
    keras.utils.set_random_seed(0)
    model = recipes.get("conv_sentiment").build_compiled(n_unique_words=1000, max_review_length=60)
    before = model.evaluate(x_train, y_train, verbose=0, return_dict=True)["loss"]
    model.fit(x_train, y_train, batch_size=32, epochs=5, verbose=0)
    after = model.evaluate(x_train, y_train, verbose=0, return_dict=True)["loss"]
    assert after < before - 0.02
    path = tmp_path / "conv.weights.h5"
    model.save_weights(path)
    again = sentiment.build_conv_sentiment(n_unique_words=1000, max_review_length=60, weights=str(path))
    np.testing.assert_allclose(again.predict(x_train[:32], verbose=0), model.predict(x_train[:32], verbose=0),
                               rtol=1e-5, atol=1e-6)


# Each architecture trains one short epoch through the script on a slice of the bundled sample.
# Two run by default (the dense net and the functional-API multi-ConvNet); the whole sweep of
# nine is marked slow (python -m pytest -m slow tests/test_sentiment.py).
QUICK = ("dense", "multiconv")


@pytest.mark.parametrize("arch", [a if a in QUICK else pytest.param(a, marks=pytest.mark.slow) for a in ARCHS])
def test_script_trains_each_arch_and_reports_an_auc(script, tmp_path, arch):
    out = tmp_path / arch
    _, result = script("train_sentiment.py", "--arch", arch, "--epochs", "1", "--max-examples", "128",
                       "--max-review-length", "40", "--batch-size", "32", "--output-dir", out, "--quiet",
                       "--seed", "1")
    assert result["arch"] == arch and result["model"] == sentiment.ARCHITECTURES[arch].__name__[len("build_"):]
    assert result["data"] == "sample" and result["n_train"] == result["n_validation"] == 128
    assert 0.0 <= result["roc_auc"] <= 1.0 and result["best_epoch"] == 1
    assert result["book"]["metric"] == "roc_auc"
    for name in ("model.keras", "roc_curve.png", "probabilities.png", "misclassified.txt", "metrics.json"):
        assert (out / name).stat().st_size > 0
    assert json.loads((out / "metrics.json").read_text())["roc_auc"] == result["roc_auc"]
    report = (out / "misclassified.txt").read_text().splitlines()
    wrong = int(report[0].split()[0])  # "N of 128 validation reviews misclassified; ..."
    assert sum(line.startswith("review ") for line in report) == min(wrong, 10)


def test_script_rejects_a_bad_arch_in_one_line(script, tmp_path):
    completed, result = script("train_sentiment.py", "--arch", "transformer", "--output-dir", tmp_path / "x",
                               check=False)
    assert completed.returncode == 2 and result is None
    last = completed.stderr.strip().splitlines()[-1]  # TensorFlow's own start-up lines may come first
    assert last.startswith("train_sentiment.py: error: argument --arch: invalid choice: 'transformer'")
    assert "Traceback" not in completed.stderr


def test_the_docs_table_shows_each_bundled_classifiers_card():
    """docs/nlp.md's measured ROC AUC of each architecture is its bundled imdb weights' model card."""
    from conftest import ROOT
    from zoo import pretrained

    rows = {}
    for line in (ROOT / "docs" / "nlp.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 6 and cells[1].startswith("`build_"):
            rows[cells[1].strip("`")[len("build_"):]] = float(cells[5].split()[0])
    assert set(rows) == set(MODELS)
    for name, shown in rows.items():
        card = pretrained.card(name, "imdb")
        assert shown == round(100 * card["metrics"]["headline"]["value"], 2), name


def test_each_arch_has_its_own_default_output_folder():
    """Nine nets run one after another with their defaults make nine runs, not one folder refused."""
    from conftest import load_script, script_settings

    module = load_script("train_sentiment.py")
    folders = {arch: script_settings("train_sentiment.py", ["--arch", arch], load_backend=False).output_dir
               for arch in ARCHS}
    assert folders == {arch: f"model_output/{model}" for arch, model in module.MODELS.items()}
    assert len(set(folders.values())) == len(ARCHS) == 9
    assert script_settings("train_sentiment.py", ["--arch", "conv", "--output-dir", "mine"],
                           load_backend=False).output_dir == "mine"


@pytest.mark.parametrize("arch, epochs, words, skip, length", [
    ("dense", 4, 5000, 50, 100), ("rnn", 16, 10000, 0, 100), ("bilstm", 6, 10000, 0, 200)])
def test_the_books_settings_for_the_arch_are_resolved_unless_given(arch, epochs, words, skip, length):
    """Unset epochs, batch size and encoding take the book's values for --arch; given ones stay."""
    from conftest import load_script, script_settings

    module = load_script("train_sentiment.py")
    settings = module.book_settings(script_settings("train_sentiment.py", ["--arch", arch], load_backend=False))
    assert (settings.epochs, settings.batch_size, settings.n_unique_words, settings.n_words_to_skip,
            settings.max_review_length) == (epochs, 128, words, skip, length)
    given = module.book_settings(script_settings(
        "train_sentiment.py", ["--arch", arch, "--epochs", "1", "--n-words-to-skip", "7"], load_backend=False))
    assert (given.epochs, given.n_words_to_skip, given.n_unique_words) == (1, 7, words)


def test_a_skip_beyond_the_vocabulary_is_refused():
    """--n-words-to-skip must leave words of the vocabulary: a one-line usage error otherwise."""
    from conftest import load_script, script_settings
    from zoo import cli

    module = load_script("train_sentiment.py")
    settings = script_settings("train_sentiment.py", ["--n-words-to-skip", "5000"], load_backend=False)
    with pytest.raises(cli.UsageError, match=r"--n-words-to-skip 5000 must be in \[0, --n-unique-words\)"):
        module.book_settings(settings)


def test_the_help_says_the_default_folder_follows_the_arch():
    """--output-dir's help names the folder per --arch, not one model's folder."""
    from conftest import load_script
    from zoo import config

    help_text = " ".join(config.make_parser(load_script("train_sentiment.py").Settings).format_help().split())
    assert "--output-dir OUTPUT_DIR where the run writes (default: model_output/ and the --arch's model" in help_text


def test_conv_then_lstm_with_default_folders_train_into_their_own(tmp_path, monkeypatch, capsys):
    from conftest import load_script, parse_result
    from zoo import cli

    module = load_script("train_sentiment.py")
    monkeypatch.chdir(tmp_path)
    for arch in ("conv", "lstm"):
        monkeypatch.setattr("sys.argv", ["train_sentiment.py", "--arch", arch, "--epochs", "1", "--max-examples", "64",
                                         "--max-review-length", "20", "--batch-size", "32", "--quiet", "--seed", "1"])
        cli.main(module.main)  # returns: a refusal would exit with status 2
        assert parse_result(capsys.readouterr().out)["arch"] == arch
    for model in ("conv_sentiment", "lstm_sentiment"):
        state = json.loads((tmp_path / "model_output" / model / "state.json").read_text())
        assert state["model"] == model and state["finished"]
    assert sorted(path.name for path in (tmp_path / "model_output").iterdir()) == ["conv_sentiment", "lstm_sentiment"]
