"""`dli-zoo predict` on the sentiment classifiers: raw reviews (text arguments, --file, standard
input) scored with MODEL/NAME, a weights file or a finished run's folder, encoded exactly as the
zoo's loader encodes aclImdb text; nothing trained, nothing written; every refusal one line."""

import json

import keras
import numpy as np
import pytest

from conftest import load_script
from zoo import pretrained, sentiment
from zoo.commands import reviews
from zoo.datasets import SAMPLES_DIR, imdb, imdb_words

# Clear reviews (measured with the bundled imdb weights: conv 1.0000 and 0.0001, dense 0.9999 and 0.0026).
POSITIVE = ("One of the best films I have ever seen. The acting is brilliant, the story is moving and beautiful, "
            "and the ending is perfect. A wonderful, touching masterpiece that I will watch again and again. "
            "Highly recommended!")
NEGATIVE = ("The worst movie I have ever seen. The plot made no sense, the acting was terrible and the dialogue "
            "was awful. A boring, stupid waste of time and money. Avoid it.")
LONG = " ".join([NEGATIVE, POSITIVE] * 3)  # 204 words: longer than the dense net's 100
# the bundled weights' cards: (n_unique_words, n_words_to_skip, max_review_length)
CARDS = {"conv": (5000, 0, 400), "dense": (5000, 50, 100)}



def scored(dli_zoo, *args):
    """``dli-zoo predict args``: the RESULT, the lines before it and stderr's lines."""
    ran = dli_zoo("predict", *args)
    result = ran.ok()
    return result, ran.out.strip().splitlines()[:-1], ran.err


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
def test_the_bundled_weights_score_clear_reviews_on_the_right_side(arch, here, dli_zoo):
    result, lines, _ = scored(dli_zoo, f"{arch}_sentiment/imdb", POSITIVE, NEGATIVE)
    positive, negative = result["reviews"]
    assert positive["probability"] > 0.9 and positive["label"] == "positive"
    assert negative["probability"] < 0.1 and negative["label"] == "negative"
    assert (result["n_unique_words"], result["n_words_to_skip"], result["max_review_length"]) == CARDS[arch]
    assert result["model"] == sentiment.MODELS[arch] and result["weights"] == f"{arch}_sentiment/imdb"
    assert (result["positive"], result["negative"]) == (1, 1)
    assert positive["review"] == POSITIVE[:57].rstrip() + "..." and positive["words"] == positive["words_read"] == 37
    assert lines == [f"{positive['probability']:.4f}  positive  {positive['review']}",
                     f"{negative['probability']:.4f}  negative  {negative['review']}"]
    assert list(here.iterdir()) == []


def test_file_scores_each_line_as_text_arguments_do_and_reads_standard_input(tmp_path, here, dli_zoo, monkeypatch):
    import io

    reviews_file = tmp_path / "reviews.txt"
    reviews_file.write_bytes(f"{POSITIVE}\r\n\n   \n{NEGATIVE}\n{LONG}".encode())  # CRLF, blank lines, no final newline
    from_file, _, _ = scored(dli_zoo, "dense_sentiment/imdb", "--file", reviews_file)
    typed, _, _ = scored(dli_zoo, "dense_sentiment/imdb", POSITIVE, NEGATIVE, LONG)
    assert from_file == typed and len(from_file["reviews"]) == 3
    long = from_file["reviews"][2]
    assert long["words"] == 204 and long["words_read"] == 100  # the dense net reads a review's last 100 words
    both, _, _ = scored(dli_zoo, "dense_sentiment/imdb", NEGATIVE, "--file", reviews_file, "--quiet")
    assert probabilities(both) == probabilities(typed)[1:2] + probabilities(typed)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(f"{NEGATIVE}\n\n{POSITIVE}\n".encode())))
    piped, lines, _ = scored(dli_zoo, "dense_sentiment/imdb", "--file", "-")
    assert probabilities(piped) == probabilities(typed)[1::-1] and len(lines) == 2
    assert list(here.iterdir()) == []


def test_the_command_scores_sample_reviews_as_the_model_scores_the_loaders_rows(tmp_path, here, dli_zoo):
    (_, _), (ragged, labels) = imdb.load_arrays(source="sample", max_examples=48)
    (_, _), (rows, _) = imdb.load_arrays(source="sample", max_examples=48, num_words=5000, max_review_length=400)
    reviews_file = tmp_path / "reviews.txt"
    reviews_file.write_text("\n".join(imdb.decode(review[1:]) for review in ragged), encoding="utf-8")
    ran = dli_zoo("predict", "conv_sentiment/imdb", "--file", reviews_file, "--quiet")
    assert ran.status == 0 and len(ran.out.strip().splitlines()) == 1  # --quiet: the RESULT line alone
    expected = sentiment.build_conv_sentiment(weights="imdb").predict(rows, verbose=0).ravel()
    np.testing.assert_allclose(probabilities(ran.result), expected, atol=2e-6)
    assert np.mean((expected >= 0.5) == (labels == 1)) > 0.75  # and classified well: 40 of 48
    assert list(here.iterdir()) == []


def test_a_finished_runs_model_scores_as_its_weights_do(tmp_path, here, dli_zoo):
    run_dir = tmp_path / "conv_run"
    run_dir.mkdir()
    sentiment.build_conv_sentiment(weights="imdb").save(run_dir / "model.keras")
    state = run_dir / "state.json"
    state.write_text(json.dumps({"model": "conv_sentiment",
                                 "settings": pretrained.trained_settings("conv_sentiment", "imdb")}))
    named, _, _ = scored(dli_zoo, "conv_sentiment/imdb", POSITIVE, NEGATIVE)
    # the run's state.json says which model and how it encoded its reviews
    from_run, _, err = scored(dli_zoo, run_dir, POSITIVE, NEGATIVE)
    assert from_run["model"] == "conv_sentiment" and from_run["from"] == str(run_dir)
    assert from_run["weights"] == str(run_dir / "model.keras")
    np.testing.assert_allclose(probabilities(from_run), probabilities(named), atol=2e-6)
    assert any(f"({state})" in line for line in err)  # where the encoding's settings came from
    # a saved model without state.json: --model says which; its own input length and vocabulary, the book's skip
    state.unlink()
    dli_zoo("predict", run_dir, POSITIVE).refused("no state.json there says what the run trained")
    bare, _, err = scored(dli_zoo, run_dir, "--model", "conv_sentiment", POSITIVE, NEGATIVE)
    assert probabilities(bare) == probabilities(from_run)
    assert (bare["n_unique_words"], bare["n_words_to_skip"], bare["max_review_length"]) == CARDS["conv"]
    assert any("no card or state.json" in line for line in err)
    dli_zoo("predict", run_dir, "--model", "conv_sentiment", "--max-review-length", 100, POSITIVE).refused(
        "reads reviews of 400 words")
    state.write_text(json.dumps({"model": "dense_sentiment", "settings": {}}))
    dli_zoo("predict", run_dir, "--model", "conv_sentiment", POSITIVE).refused(
        "is a run of dense_sentiment, not conv_sentiment")
    assert list(here.iterdir()) == []


def test_a_model_that_is_no_review_classifier_is_one_line(tmp_path, here, dli_zoo):
    run_dir = tmp_path / "other"
    run_dir.mkdir()
    keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]).save(run_dir / "model.keras")
    dli_zoo("predict", run_dir, "--model", "rnn_sentiment", POSITIVE).refused("is not a review classifier")


@pytest.mark.parametrize("args, fragment", [
    (["conv_sentiment/imdb"], "no review to score: give its text, or --file PATH"),
    (["imdb", POSITIVE], "'imdb' names weights of 9 models"),
    (["conv_sentiment/imdb", "--file", "missing.txt"], "--file missing.txt: no such file"),
    (["conv_sentiment/imdb", "--file", "{empty}"], "holds no words: it is empty or only whitespace"),
    (["conv_sentiment/imdb", "--file", "{folder}"], "is not a file"),
    (["conv_sentiment/imdb", "  "], "an empty review"),
    (["{folder}", POSITIVE], "no state.json there says what the run trained"),
    (["conv_sentiment/nosuch", POSITIVE], "conv_sentiment has no weights named 'nosuch'"),
    (["rnn_sentiment/mnist", POSITIVE], "rnn_sentiment has no weights named 'mnist'"),
    (["cartpole_v0", POSITIVE], "`dli-zoo predict` uses dense_sentiment"),
])
def test_refusals_are_one_line_and_write_nothing(args, fragment, tmp_path, here, dli_zoo):
    files = tmp_path / "files"
    files.mkdir()
    (files / "empty.txt").write_text("\n  \n\n")
    args = [arg.format(empty=files / "empty.txt", folder=files) for arg in args]
    dli_zoo("predict", *args).refused(fragment)
    assert list(here.iterdir()) == []


def test_settings_that_do_not_fit_the_weights_are_one_line(here, dli_zoo):
    line = dli_zoo("predict", "conv_sentiment/imdb", "--n-unique-words", 100, POSITIVE).refused(
        "does not fit model 'conv_sentiment'")
    assert line.startswith("error: conv_sentiment/imdb (")
    assert list(here.iterdir()) == []


def test_without_a_word_index_at_hand_scoring_says_what_to_put_where(tmp_path, here, dli_zoo, monkeypatch):
    index = imdb.word_index(SAMPLES_DIR / imdb.SAMPLE_WORD_INDEX)
    monkeypatch.setattr(imdb_words, "SAMPLES_DIR", tmp_path / "no_samples")  # an install without the samples
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv("ZOO_DATA_DIR", raising=False)
    line = dli_zoo("predict", "dense_sentiment/imdb", NEGATIVE).refused()
    assert line.startswith("error: cannot download imdb_word_index.json: ZOO_OFFLINE is set; put Keras' "
                           "imdb_word_index.json into --data-dir (or ZOO_DATA_DIR) or ")
    data = tmp_path / "data"
    data.mkdir()
    (data / "imdb_word_index.json").write_text(json.dumps(index))
    result, _, _ = scored(dli_zoo, "dense_sentiment/imdb", NEGATIVE, "--data-dir", data)
    assert result["reviews"][0]["probability"] < 0.1
    assert list(here.iterdir()) == []


def test_a_training_run_records_no_scoring_flags_and_its_folder_scores(tmp_path, here, dli_zoo, monkeypatch):
    from zoo import cli

    out = tmp_path / "run"
    script = load_script("train_sentiment.py")
    monkeypatch.setattr("sys.argv", ["train_sentiment.py", "--arch", "dense", "--epochs", "1", "--max-examples", "64",
                                     "--max-review-length", "20", "--batch-size", "32", "--output-dir", str(out),
                                     "--quiet"])
    cli.main(script.main)
    settings = json.loads((out / "state.json").read_text())["settings"]
    assert settings["max_review_length"] == 20 and not {"predict", "predict_file", "trained", "from", "typed"} & set(settings)
    # and its folder scores reviews, its settings read from state.json
    scores, _, _ = scored(dli_zoo, out, POSITIVE, "--quiet")
    assert scores["model"] == "dense_sentiment" and scores["max_review_length"] == 20 and scores["n_words_to_skip"] == 50


def test_the_scripts_arch_table_and_the_commands_models_are_the_builders():
    script = load_script("train_sentiment.py")
    assert script.MODELS == sentiment.MODELS and reviews.MODELS == tuple(sentiment.MODELS.values())
