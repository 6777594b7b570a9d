"""word2vec's trained vectors: --from NAME|PATH|RUN_DIR answers queries with them (nothing trained,
nothing written; the bundled vectors without TensorFlow), --weights NAME|PATH starts a training
run whose shared words take them over; wrong vectors or flags are one line."""

import json
import os
import random
import subprocess
import sys

import numpy as np
import pytest

from conftest import SCRIPTS, backend_env, load_script, parse_result, user_lines
from zoo import cli, pretrained
from zoo import word2vec as w2v

BUNDLED_VOCABULARY = 10_269  # words of the bundled "gutenberg" vectors
# a tiny corpus: words the bundled vectors hold, and two they do not
KNOWN = ("the father mother son daughter brother sister king queen said to his her and of house went came home "
         "day night").split()
MADE_UP = ["zorblax", "quuxly"]


@pytest.fixture(scope="module")
def bundled():
    return pretrained.load_word_vectors("gutenberg")


@pytest.fixture(scope="module")
def script_module():
    """The script as a module: refusals and a small run in this process, not a start-up each."""
    return load_script("train_word2vec.py")


def run_main(module, patcher, *args) -> int:
    patcher.setattr(sys, "argv", ["train_word2vec.py", *map(str, args)])
    patcher.setattr(cli.signal, "signal", lambda *_: None)  # pytest keeps its own SIGTERM handling
    try:
        cli.main(module.main)
    except SystemExit as exited:
        return exited.code
    return 0


def refused(module, monkeypatch, capsys, *args) -> str:
    status = run_main(module, monkeypatch, *args)
    captured = capsys.readouterr()
    lines = user_lines(captured.err)
    assert status == 2 and "Traceback" not in captured.err and len(lines) == 1, (status, captured.err)
    assert captured.out == ""  # no answer comes before a refusal
    return lines[0]


def small_vectors(bundled, words):
    """KeyedVectors holding ``words`` with their bundled vectors (as a user's own file would)."""
    from gensim.models import KeyedVectors

    vectors = KeyedVectors(bundled.vector_size)
    vectors.add_vectors(list(words), np.stack([bundled[word] for word in words]))
    return vectors


# ----------------------------------------------------------------------------- queries

def test_the_bundled_vectors_answer_queries_offline_without_tensorflow_and_write_nothing(tmp_path):
    completed = subprocess.run(
        [sys.executable, str(SCRIPTS / "train_word2vec.py"), "--from", "gutenberg", "--most-similar", "father",
         "--analogy", "husband", "man", "woman"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={**os.environ, **backend_env("jax", tensorflow=False)})  # TensorFlow hidden: it needs none
    assert completed.returncode == 0, completed.stderr[-2000:]
    result = parse_result(completed.stdout)
    assert result["from"] == "gutenberg" and result["vectors_file"].endswith(".vectors.bin")
    assert result["vocabulary"] == BUNDLED_VOCABULARY
    queries = result["queries"]
    neighbours = queries["most_similar"]["father"]
    # measured on the bundled vectors: mother 0.8307, then brother 0.7394
    assert neighbours[0][0] == "mother" and neighbours[0][1] == pytest.approx(0.8307, abs=1e-3)
    assert len(neighbours) == 5 and "brother" in [word for word, _ in neighbours]
    assert queries["analogy"]["husband + woman - man"][0][0] == "wife"  # husband - man + woman
    # only what was asked: the book's other queries are not added
    assert queries["doesnt_match"] == {} and queries["similarity"] == {}
    assert json.loads(completed.stdout[:completed.stdout.rindex("RESULT")]) == queries  # the answers, readable
    assert user_lines(completed.stderr) == [] and list(tmp_path.iterdir()) == []


def test_an_unknown_word_is_one_line_and_a_capitalised_one_is_hinted(script_module, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    line = refused(script_module, monkeypatch, capsys, "--from", "gutenberg", "--most-similar", "Father",
                   "--analogy", "king", "man", "xyzzy")
    assert line == (f"error: --from gutenberg: 'Father', 'xyzzy' are not in its vocabulary of "
                    f"{BUNDLED_VOCABULARY:,} words (try 'father')")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("form", ["vectors.bin", "txt", "vec", "model", "kv"])
def test_a_file_of_vectors_answers_the_same_as_its_source(form, bundled, script_module, monkeypatch, capsys,
                                                          tmp_path):
    path = tmp_path / f"mine.{form}"
    if form == "model":  # gensim's own save of a Word2Vec, as a run's word2vec.model
        rng = random.Random(1)
        model = w2v.train([rng.sample(KNOWN, 8) for _ in range(100)], min_count=1, epochs=1, workers=1,
                          progress=False)
        model.save(str(path))
        source = model.wv
    elif form == "kv":  # gensim's save of the vectors alone
        source = small_vectors(bundled, bundled.index_to_key[:300])
        source.save(str(path))
    else:
        source = small_vectors(bundled, bundled.index_to_key[:300])
        source.save_word2vec_format(str(path), binary=form.endswith(".bin"))
    monkeypatch.chdir(tmp_path)
    status = run_main(script_module, monkeypatch, "--from", path.name, "--most-similar", "father", "--quiet")
    captured = capsys.readouterr()
    assert status == 0, captured.err
    result = parse_result(captured.out)
    expected = [[word, round(float(score), 4)] for word, score in source.most_similar("father", topn=5)]
    assert result["vocabulary"] == len(source) and result["queries"]["most_similar"]["father"] == expected
    assert sorted(item.name for item in tmp_path.iterdir()) == [path.name]


@pytest.mark.parametrize("arguments, fragments", [
    (["--weights", "gutenberg", "--most-similar", "father"],
     ["train_word2vec.py: error: queries of trained vectors take them with --from NAME|PATH|RUN_DIR",
      "--weights only starts a training run"]),
    (["--from", "gutenberg", "--epochs", "2", "--most-similar", "father"],
     ["error: --from answers queries and trains nothing: --epochs is for training"]),
    (["--from", "mnist", "--most-similar", "father"],
     ["error: --from mnist: word2vec has no weights named 'mnist'", "gutenberg"]),
    (["--from", "missing.vectors.bin", "--most-similar", "father"], ["--from: missing.vectors.bin: no such file"]),
    (["--weights", "photo.jpg"], ["'photo.jpg' is neither a weights name nor a word2vec .bin"]),
    (["--from", "damaged.vectors.bin", "--most-similar", "father"], ["damaged.vectors.bin as word vectors"]),
    (["--weights", "damaged.vectors.bin", "--output-dir", "run"], ["cannot read damaged.vectors.bin"]),
    (["--weights", "gutenberg", "--n-dim", "32", "--output-dir", "run"],
     ["--weights gutenberg holds 64-dimensional vectors, --n-dim gives 32"]),
], ids=["old_spelling", "training_flag", "another_models_name", "missing_file", "not_vectors", "damaged", "damaged_training",
        "other_size"])
def test_wrong_weights_are_one_line_and_write_nothing(arguments, fragments, script_module, monkeypatch, capsys,
                                                      tmp_path):
    bundled_file = pretrained.resolve("word2vec", "gutenberg")
    (tmp_path / "damaged.vectors.bin").write_bytes(bundled_file.read_bytes()[:1000])
    monkeypatch.chdir(tmp_path)
    line = refused(script_module, monkeypatch, capsys, *arguments, "--quiet")
    for fragment in fragments:
        assert fragment in line, line
    assert sorted(item.name for item in tmp_path.iterdir()) == ["damaged.vectors.bin"]


# ----------------------------------------------------------------------------- training from the vectors

def test_take_over_copies_exactly_the_shared_words(bundled):
    from gensim.models import Word2Vec

    corpus = [KNOWN[:6] + MADE_UP] * 3
    model = Word2Vec(vector_size=bundled.vector_size, min_count=1, seed=3, workers=1)
    model.build_vocab(corpus)
    before = model.wv.vectors.copy()
    assert w2v.take_over(model, bundled) == 6
    for word in KNOWN[:6]:
        np.testing.assert_array_equal(model.wv[word], bundled[word])
    for word in MADE_UP:
        np.testing.assert_array_equal(model.wv[word], before[model.wv.key_to_index[word]])
    assert model.wv.vectors_lockf.shape == (len(model.wv),) and set(model.wv.vectors_lockf) == {1.0}  # trained on
    with pytest.raises(ValueError, match="start_vectors have 64 dimensions, vector_size=32"):
        w2v.train(corpus, vector_size=32, min_count=1, progress=False, start_vectors=bundled)


@pytest.fixture(scope="module")
def run_from_weights(tmp_path_factory, script_module, bundled):
    """A finished run on a tiny corpus started from the bundled vectors, and the vectors it had
    the moment before training."""
    folder = tmp_path_factory.mktemp("w2v_weights")
    corpus = folder / "corpus"
    corpus.mkdir()
    rng = random.Random(0)
    words = KNOWN + MADE_UP
    (corpus / "tiny.txt").write_text(" ".join(" ".join(rng.choice(words) for _ in range(8)).capitalize() + "."
                                              for _ in range(300)))
    started, take_over = {}, w2v.take_over

    def spy(model, vectors, lockf=1.0):
        taken = take_over(model, vectors, lockf)
        started.update(count=taken, vectors={word: model.wv[word].copy() for word in model.wv.index_to_key})
        return taken

    output = folder / "run"
    arguments = ["--data", "full", "--data-dir", corpus, "--min-count", "2", "--no-bigrams", "--epochs", "1",
                 "--tsne-tokens", "20", "--plot-tokens", "10", "--workers", "1", "--seed", "1", "--quiet",
                 "--output-dir", output]
    with pytest.MonkeyPatch.context() as patcher:
        patcher.setattr(w2v, "take_over", spy)
        assert run_main(script_module, patcher, *arguments, "--weights", "gutenberg") == 0
    return output, arguments, started


def test_a_training_run_starts_its_shared_words_from_the_weights(run_from_weights, bundled):
    from gensim.models import Word2Vec

    output, _, started = run_from_weights
    metrics = json.loads((output / "metrics.json").read_text())
    state = json.loads((output / "state.json").read_text())
    assert state["settings"]["weights"] == "gutenberg" and state["settings"]["n_dim"] == 64
    assert metrics["weights"] == "gutenberg" and metrics["vocabulary"] == len(KNOWN) + len(MADE_UP)
    assert metrics["words_taken_over"] == len(KNOWN) == started["count"] > 0
    # before training: the bundled vectors for the shared words, random ones for the others
    for word in KNOWN:
        np.testing.assert_array_equal(started["vectors"][word], bundled[word])
    for word in MADE_UP:
        assert word not in bundled.key_to_index
    # after one epoch the shared words have trained on from there: moved, but still close
    trained = Word2Vec.load(str(output / "word2vec.model")).wv
    for word in KNOWN:
        cosine = float(np.dot(trained[word], bundled[word]) / np.linalg.norm(trained[word]) / np.linalg.norm(bundled[word]))
        assert 0.9 < cosine and not np.array_equal(trained[word], bundled[word]), (word, cosine)


def test_a_resume_with_other_weights_is_refused_in_one_line(run_from_weights, bundled, script_module, monkeypatch,
                                                            capsys, tmp_path):
    output, arguments, _ = run_from_weights
    before = {path: path.read_bytes() for path in output.rglob("*") if path.is_file()}
    other = tmp_path / "other.vectors.bin"
    small_vectors(bundled, KNOWN).save_word2vec_format(str(other), binary=True)
    line = refused(script_module, monkeypatch, capsys, *arguments, "--resume", "--weights", other)
    assert f'was started with --weights "gutenberg", this command gives "{other}"' in line, line
    line = refused(script_module, monkeypatch, capsys, *arguments, "--resume")
    assert 'was started with --weights "gutenberg", this command gives (not given)' in line, line
    assert {path: path.read_bytes() for path in output.rglob("*") if path.is_file()} == before


def test_a_finished_run_answers_like_the_weights_and_refuses_an_unknown_word(run_from_weights, script_module,
                                                                             monkeypatch, capsys):
    output, _, _ = run_from_weights
    before = {path: path.stat().st_mtime_ns for path in output.rglob("*")}
    status = run_main(script_module, monkeypatch, "--from", output, "--most-similar", "father", "--quiet")
    result = parse_result(capsys.readouterr().out)
    assert status == 0 and len(result["queries"]["most_similar"]["father"]) == 5
    line = refused(script_module, monkeypatch, capsys, "--from", output, "--most-similar", "zorblaxes", "--quiet")
    assert line == f"error: --from {output}: 'zorblaxes' is not in its vocabulary of {len(KNOWN) + len(MADE_UP)} words"
    assert {path: path.stat().st_mtime_ns for path in output.rglob("*")} == before
