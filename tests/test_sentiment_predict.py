"""train_sentiment.py --predict/--predict-file: raw reviews scored with --from (a weights name, a
file or a finished run's folder; --weights is refused there), encoded exactly as the zoo's loader
encodes aclImdb text; nothing trained, nothing written; every refusal one line."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from conftest import SCRIPTS, load_script, parse_result, user_lines
from zoo import cli, pretrained, sentiment
from zoo.datasets import SAMPLES_DIR, imdb

# Clear reviews (measured with the bundled imdb weights: conv 1.0000 and 0.0001, dense 0.9999 and 0.0026).
POSITIVE = ("One of the best films I have ever seen. The acting is brilliant, the story is moving and beautiful, "
            "and the ending is perfect. A wonderful, touching masterpiece that I will watch again and again. "
            "Highly recommended!")
NEGATIVE = ("The worst movie I have ever seen. The plot made no sense, the acting was terrible and the dialogue "
            "was awful. A boring, stupid waste of time and money. Avoid it.")
LONG = " ".join([NEGATIVE, POSITIVE] * 3)  # 204 words: longer than the dense net's 100
# the bundled weights' cards: (n_unique_words, n_words_to_skip, max_review_length)
CARDS = {"conv": (5000, 0, 400), "dense": (5000, 50, 100)}


@pytest.fixture(scope="module")
def script():
    """The script as a module: scoring runs in this process, without a TensorFlow start-up each."""
    return load_script("train_sentiment.py")


@pytest.fixture
def here(tmp_path, monkeypatch):
    """An empty current folder, to show that scoring writes nothing into it."""
    folder = tmp_path / "here"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def run(script, monkeypatch, capsys, *args):
    """``python scripts/train_sentiment.py args``: (exit status, stdout, stderr's lines)."""
    monkeypatch.setattr(sys, "argv", ["train_sentiment.py", *map(str, args)])
    monkeypatch.setattr(cli.signal, "signal", lambda *_: None)  # pytest keeps its own SIGTERM handling
    try:
        cli.main(script.main)
        status = 0
    except SystemExit as exited:
        status = exited.code
    captured = capsys.readouterr()
    return status, captured.out, user_lines(captured.err)


def scored(script, monkeypatch, capsys, *args):
    status, out, err = run(script, monkeypatch, capsys, *args)
    assert status == 0, err
    result = parse_result(out)
    assert result is not None, out
    return result, out.strip().splitlines()[:-1], err


def refused(script, monkeypatch, capsys, *args) -> str:
    status, out, err = run(script, monkeypatch, capsys, *args)
    assert status == 2 and out == "" and len(err) == 1, (status, out, err)
    assert "Traceback" not in err[0]
    return err[0]


def probabilities(result) -> list:
    return [review["probability"] for review in result["reviews"]]


# ----------------------------------------------------------------------------- the encoding

def test_encode_reviews_gives_the_loaders_rows_for_raw_aclImdb_text(tmp_path):
    reviews = {
        ("train", "pos", "0_9.txt"): POSITIVE + "<br /><br />See it, NOW!",
        ("train", "neg", "1_2.txt"): NEGATIVE,
        ("test", "pos", "2_8.txt"): "Robert Redford's fly-fishing film: \"a river runs through it\" (1992) is " + LONG,
        ("test", "neg", "3_1.txt"): "Terrible plot; zzzunknownword... BORING!!!",
    }
    for (split, label, name), text in reviews.items():
        folder = tmp_path / "aclImdb" / split / label
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    for num_words, skip_top, length in [*CARDS.values(), (1000, 20, 30)]:
        (x_train, y_train), (x_valid, y_valid) = imdb.load_arrays(
            source="full", data_dir=tmp_path, num_words=num_words, skip_top=skip_top, max_review_length=length)
        loaded = {("train", int(y)): row.tolist() for row, y in zip(x_train, y_train)}
        loaded.update({("test", int(y)): row.tolist() for row, y in zip(x_valid, y_valid)})
        for (split, label, _), text in reviews.items():
            encoded = imdb.encode_reviews([text], length, num_words=num_words, skip_top=skip_top)
            assert encoded.dtype == np.int32 and encoded.shape == (1, length)
            assert encoded[0].tolist() == loaded[(split, int(label == "pos"))]


@pytest.mark.parametrize("arch", list(CARDS))
def test_the_bundled_reviews_decoded_to_text_encode_back_to_the_loaders_rows(arch):
    num_words, skip_top, length = CARDS[arch]
    (_, _), (ragged, _) = imdb.load_arrays(source="sample")  # the whole vocabulary: every word decodes
    (_, _), (rows, _) = imdb.load_arrays(source="sample", num_words=num_words, skip_top=skip_top,
                                         max_review_length=length)
    texts = [imdb.decode(review[1:]) for review in ragged]  # without the start marker's "START"
    np.testing.assert_array_equal(imdb.encode_reviews(texts, length, num_words=num_words, skip_top=skip_top), rows)


def test_encode_reviews_pads_and_truncates_at_the_start_and_refuses_a_bare_string():
    short, long = imdb.encode_reviews(["A good film.", LONG], 20, num_words=5000)
    assert short.tolist() == [0] * 16 + imdb.encode("A good film.", num_words=5000)
    assert long.tolist() == imdb.encode(LONG, num_words=5000)[-20:]  # the ending is kept
    with pytest.raises(ValueError, match="not one string"):
        imdb.encode_reviews("A good film.", 20)
    with pytest.raises(ValueError, match="review 1 is int"):
        imdb.encode_reviews(["fine", 3], 20)
    with pytest.raises(ValueError, match="max_review_length=None"):
        imdb.encode_reviews(["fine"], None)
    with pytest.raises(ValueError, match="skip_top=5000"):
        imdb.encode_reviews(["fine"], 20, num_words=5000, skip_top=5000)


# ----------------------------------------------------------------------------- scoring

@pytest.mark.parametrize("arch", list(CARDS))
def test_the_bundled_weights_score_clear_reviews_on_the_right_side(arch, here, script, monkeypatch, capsys):
    result, lines, _ = scored(script, monkeypatch, capsys, "--arch", arch, "--from", "imdb",
                              "--predict", POSITIVE, "--predict", NEGATIVE)
    positive, negative = result["reviews"]
    assert positive["probability"] > 0.9 and positive["label"] == "positive"
    assert negative["probability"] < 0.1 and negative["label"] == "negative"
    assert (result["n_unique_words"], result["n_words_to_skip"], result["max_review_length"]) == CARDS[arch]
    assert result["model"] == sentiment.MODELS[arch] and result["weights"] == result["from"] == "imdb"
    assert (result["positive"], result["negative"]) == (1, 1)
    assert positive["review"] == POSITIVE[:57].rstrip() + "..." and positive["words"] == positive["words_read"] == 37
    assert lines == [f"{positive['probability']:.4f}  positive  {positive['review']}",
                     f"{negative['probability']:.4f}  negative  {negative['review']}"]
    assert list(here.iterdir()) == []


def test_predict_file_scores_each_line_as_predict_does(tmp_path, here, script, monkeypatch, capsys):
    reviews = tmp_path / "reviews.txt"
    reviews.write_bytes(f"{POSITIVE}\r\n\n   \n{NEGATIVE}\n{LONG}".encode())  # CRLF, blank lines, no final newline
    from_file, _, _ = scored(script, monkeypatch, capsys, "--from", "imdb", "--predict-file", reviews)
    typed, _, _ = scored(script, monkeypatch, capsys, "--from", "imdb",
                         "--predict", POSITIVE, "--predict", NEGATIVE, "--predict", LONG)
    assert from_file == typed and len(from_file["reviews"]) == 3
    long = from_file["reviews"][2]
    assert long["words"] == 204 and long["words_read"] == 100  # the dense net reads a review's last 100 words
    both, _, _ = scored(script, monkeypatch, capsys, "--from", "imdb", "--predict", NEGATIVE,
                        "--predict-file", reviews, "--quiet")
    assert probabilities(both) == probabilities(typed)[1:2] + probabilities(typed)
    assert list(here.iterdir()) == []


def test_the_script_scores_sample_reviews_as_the_model_scores_the_loaders_rows(tmp_path, here, script,
                                                                               monkeypatch, capsys):
    (_, _), (ragged, labels) = imdb.load_arrays(source="sample", max_examples=48)
    (_, _), (rows, _) = imdb.load_arrays(source="sample", max_examples=48, num_words=5000, max_review_length=400)
    reviews = tmp_path / "reviews.txt"
    reviews.write_text("\n".join(imdb.decode(review[1:]) for review in ragged), encoding="utf-8")
    status, out, _ = run(script, monkeypatch, capsys, "--arch", "conv", "--from", "imdb",
                         "--predict-file", reviews, "--quiet")
    assert status == 0 and len(out.strip().splitlines()) == 1  # --quiet: the RESULT line alone
    result = parse_result(out)
    expected = sentiment.build_conv_sentiment(weights="imdb").predict(rows, verbose=0).ravel()
    np.testing.assert_allclose(probabilities(result), expected, atol=2e-6)
    assert np.mean((expected >= 0.5) == (labels == 1)) > 0.75  # and classified well: 40 of 48
    assert list(here.iterdir()) == []


def test_a_finished_runs_model_scores_as_its_weights_do(tmp_path, here, script, monkeypatch, capsys):
    run_dir = tmp_path / "conv_run"
    run_dir.mkdir()
    sentiment.build_conv_sentiment(weights="imdb").save(run_dir / "model.keras")
    state = run_dir / "state.json"
    state.write_text(json.dumps({"model": "conv_sentiment", "settings": pretrained.trained_settings("conv_sentiment",
                                                                                                   "imdb")}))
    texts = ("--predict", POSITIVE, "--predict", NEGATIVE)
    named, _, _ = scored(script, monkeypatch, capsys, "--arch", "conv", "--from", "imdb", *texts)
    # --arch left at its default (dense): the run's state.json says conv
    from_run, _, err = scored(script, monkeypatch, capsys, "--from", run_dir, *texts)
    assert from_run["arch"] == "conv" and from_run["from"] == str(run_dir)
    assert from_run["model_file"] == str(run_dir / "model.keras")
    np.testing.assert_allclose(probabilities(from_run), probabilities(named), atol=2e-6)
    assert any(f"({state})" in line for line in err)  # where the encoding's settings came from
    # a saved model without state.json: its own input length and vocabulary, the book's words skipped
    state.unlink()
    bare, _, err = scored(script, monkeypatch, capsys, "--arch", "conv", "--from", run_dir, *texts)
    assert probabilities(bare) == probabilities(from_run)
    assert (bare["n_unique_words"], bare["n_words_to_skip"], bare["max_review_length"]) == CARDS["conv"]
    assert any("no card or state.json" in line for line in err)
    assert "reads reviews of 400 words" in refused(script, monkeypatch, capsys, "--from", run_dir,
                                                   "--max-review-length", 100, *texts)
    state.write_text(json.dumps({"settings": {"arch": "dense"}}))
    assert "trained with --arch dense, not conv" in refused(script, monkeypatch, capsys, "--arch", "conv",
                                                            "--from", run_dir, *texts)
    assert list(here.iterdir()) == []


def test_a_model_that_is_no_review_classifier_is_one_line(tmp_path, here, script, monkeypatch, capsys):
    run_dir = tmp_path / "other"
    run_dir.mkdir()
    keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]).save(run_dir / "model.keras")
    assert "is not a review classifier" in refused(script, monkeypatch, capsys, "--from", run_dir,
                                                   "--predict", POSITIVE)


@pytest.mark.parametrize("args, fragment", [
    (["--predict", POSITIVE], "--predict needs --from NAME|PATH|RUN_DIR: a classifier's weights name or file, "
                              "or a finished run's folder"),
    (["--predict", POSITIVE, "--weights", "imdb"], "--predict takes the trained model with --from NAME|PATH|RUN_DIR; "
                                                   "--weights only starts a training run"),
    (["--predict", POSITIVE, "--from", "imdb", "--resume"], "--predict trains nothing: --resume is for training"),
    (["--predict", POSITIVE, "--from", "imdb", "--overwrite"], "--overwrite is for training"),
    (["--predict-file", "reviews.txt", "--from", "imdb", "--epochs", "4"],
     "--predict-file trains nothing: --epochs is for training"),
    (["--predict", POSITIVE, "--from", "imdb", "--output-dir", "out"], "--output-dir is for training"),
    (["--predict-file", "missing.txt", "--from", "imdb"], "--predict-file missing.txt: no such file"),
    (["--predict-file", "{empty}", "--from", "imdb"], "holds no words: it is empty or only whitespace"),
    (["--predict-file", "{folder}", "--from", "imdb"], "is not a file"),
    (["--predict", "  ", "--from", "imdb"], "--predict: an empty review"),
    (["--predict", POSITIVE, "--from", "{folder}"], "no model.keras there; it is not a finished run's folder"),
    (["--predict", POSITIVE, "--from", "nosuch"], "--from nosuch: dense_sentiment has no weights named"),
    (["--predict", POSITIVE, "--arch", "rnn", "--from", "mnist"], "rnn_sentiment has no weights named 'mnist'"),
    (["--from", "imdb"], "--from is for --predict or --predict-file"),
])
def test_refusals_are_one_line_and_write_nothing(args, fragment, tmp_path, here, script, monkeypatch, capsys):
    files = tmp_path / "files"
    files.mkdir()
    (files / "empty.txt").write_text("\n  \n\n")
    args = [arg.format(empty=files / "empty.txt", folder=files) for arg in args]
    assert fragment in refused(script, monkeypatch, capsys, *args)
    assert list(here.iterdir()) == []


def test_settings_that_do_not_fit_the_weights_are_one_line(here, script, monkeypatch, capsys):
    line = refused(script, monkeypatch, capsys, "--arch", "conv", "--from", "imdb", "--n-unique-words", 100,
                   "--predict", POSITIVE)
    assert line.startswith("error: --from imdb (") and "does not fit model 'conv_sentiment'" in line
    assert list(here.iterdir()) == []


def test_without_a_word_index_at_hand_scoring_says_what_to_put_where(tmp_path, here, script, monkeypatch, capsys):
    index = imdb.word_index(SAMPLES_DIR / imdb.SAMPLE_WORD_INDEX)
    monkeypatch.setattr(imdb, "SAMPLES_DIR", tmp_path / "no_samples")  # an install without the samples
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv("ZOO_DATA_DIR", raising=False)
    line = refused(script, monkeypatch, capsys, "--from", "imdb", "--predict", NEGATIVE)
    assert line.startswith("error: cannot download imdb_word_index.json: ZOO_OFFLINE is set; put Keras' "
                           "imdb_word_index.json into --data-dir (or ZOO_DATA_DIR) or ")
    data = tmp_path / "data"
    data.mkdir()
    (data / "imdb_word_index.json").write_text(json.dumps(index))
    result, _, _ = scored(script, monkeypatch, capsys, "--from", "imdb", "--predict", NEGATIVE,
                          "--data-dir", data)
    assert result["reviews"][0]["probability"] < 0.1
    assert list(here.iterdir()) == []


def test_a_training_run_records_no_scoring_flags(tmp_path, here, script, monkeypatch, capsys):
    out = tmp_path / "run"
    result, _, _ = scored(script, monkeypatch, capsys, "--arch", "dense", "--epochs", 1, "--max-examples", 64,
                          "--max-review-length", 20, "--batch-size", 32, "--output-dir", out, "--quiet")
    assert result["best_epoch"] == 1
    settings = json.loads((out / "state.json").read_text())["settings"]
    assert settings["max_review_length"] == 20 and not {"predict", "predict_file", "trained", "typed"} & set(settings)
    # and its folder scores reviews, its settings read from state.json
    scores, _, _ = scored(script, monkeypatch, capsys, "--from", out, "--predict", POSITIVE, "--quiet")
    assert scores["arch"] == "dense" and scores["max_review_length"] == 20 and scores["n_words_to_skip"] == 50


def test_the_scripts_arch_table_is_the_builders(script):
    assert script.MODELS == sentiment.MODELS


def test_help_names_the_scoring_flags(script, monkeypatch, capsys):
    status, out, _ = run(script, monkeypatch, capsys, "--help")
    assert status == 0
    for text in ("--predict TEXT", "--predict-file PATH", "--from NAME|PATH|RUN_DIR", "score reviews with"):
        assert text in out


def test_the_command_line_scores_standard_input_and_writes_nothing(tmp_path):
    completed = subprocess.run(
        [sys.executable, str(SCRIPTS / "train_sentiment.py"), "--arch", "conv", "--from", "imdb",
         "--predict", POSITIVE, "--predict-file", "-"],
        input=f"{NEGATIVE}\n\n", capture_output=True, text=True, cwd=tmp_path, timeout=300, env=os.environ.copy())
    assert completed.returncode == 0, completed.stderr[-2000:]
    result = parse_result(completed.stdout)
    assert [review["label"] for review in result["reviews"]] == ["positive", "negative"]
    assert len(completed.stdout.strip().splitlines()) == 3
    assert list(tmp_path.iterdir()) == []
