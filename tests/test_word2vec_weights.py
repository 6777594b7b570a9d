"""word2vec's trained vectors: `dli-zoo similar NAME|FILE|RUN_DIR` answers questions with them
(nothing trained, nothing written; the bundled vectors without TensorFlow), the training script's
--weights NAME|PATH starts a run whose shared words take them over; wrong vectors or flags are one line."""

import json
import os
import random
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, backend_env, load_script, parse_result, user_lines
from zoo import cli, pretrained
from zoo import word2vec as w2v

# pytest-xdist (--dist loadgroup): the run from the bundled vectors is made once, on one worker
pytestmark = pytest.mark.xdist_group('test_word2vec_weights')

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

def test_the_bundled_vectors_answer_offline_without_tensorflow_and_write_nothing(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "zoo", "similar", "gutenberg", "father", "--analogy", "husband", "man", "woman"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={**os.environ, **backend_env("jax", tensorflow=False), "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "tests" / "no_tensorflow"), str(ROOT)])})  # TensorFlow hidden: it needs none
    assert completed.returncode == 0, completed.stderr[-2000:]
    result = parse_result(completed.stdout)
    assert result["from"] == "gutenberg" and result["vectors_file"].endswith(".vectors.bin")
    assert result["vocabulary"] == BUNDLED_VOCABULARY
    answers = result["answers"]
    neighbours = answers["most_similar"]["father"]
    # measured on the bundled vectors: mother 0.8307, then brother 0.7394
    assert neighbours[0][0] == "mother" and neighbours[0][1] == pytest.approx(0.8307, abs=1e-3)
    assert len(neighbours) == 5 and "brother" in [word for word, _ in neighbours]
    assert answers["analogy"]["husband + woman - man"][0][0] == "wife"  # husband - man + woman
    assert answers.keys() == {"most_similar", "analogy"}  # only what was asked
    # one readable line per question before the RESULT, its figures those of the RESULT
    assert completed.stdout.splitlines()[:2] == [
        "most similar father: " + ", ".join(f"{word} {score:.4f}" for word, score in neighbours),
        "analogy husband + woman - man: " + ", ".join(f"{word} {score:.4f}"
                                                      for word, score in answers["analogy"]["husband + woman - man"])]
    assert user_lines(completed.stderr) == [] and list(tmp_path.iterdir()) == []


def test_positive_negative_and_the_odd_one_out(bundled, dli_zoo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = dli_zoo("similar", "word2vec/gutenberg", "--positive", "king", "woman", "--negative", "man",
                     "--odd-one-out", "mother", "father", "sister", "brother", "dog", "--similarity", "father", "dog",
                     "--topn", 3, "--quiet").ok()
    expected = [[word, round(float(score), 4)]
                for word, score in bundled.most_similar(positive=["king", "woman"], negative=["man"], topn=3)]
    assert result["answers"]["analogy"] == {"king + woman - man": expected}
    assert result["answers"]["odd_one_out"] == {"mother father sister brother dog": "dog"}
    assert result["answers"]["similarity"] == {"father dog": round(float(bundled.similarity("father", "dog")), 4)}
    dli_zoo("similar", "gutenberg").refused("nothing asked")
    dli_zoo("similar", "gutenberg", "--negative", "man").refused("--negative goes with --positive")
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_word_is_one_line_and_a_capitalised_one_is_hinted(dli_zoo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = dli_zoo("similar", "gutenberg", "Father", "--analogy", "king", "man", "xyzzy").refused()
    assert line == (f"error: gutenberg: 'Father', 'xyzzy' are not in its vocabulary of "
                    f"{BUNDLED_VOCABULARY:,} words (try 'father')")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("form", ["vectors.bin", "txt", "vec", "model", "kv"])
def test_a_file_of_vectors_answers_the_same_as_its_source(form, bundled, dli_zoo, monkeypatch, tmp_path):
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
    result = dli_zoo("similar", path.name, "father", "--quiet").ok()
    expected = [[word, round(float(score), 4)] for word, score in source.most_similar("father", topn=5)]
    assert result["vocabulary"] == len(source) and result["answers"]["most_similar"]["father"] == expected
    assert sorted(item.name for item in tmp_path.iterdir()) == [path.name]


@pytest.mark.parametrize("arguments, fragment", [
    (["mnist", "father"], "'mnist' names deep_net/mnist"),
    (["missing.vectors.bin", "father"], "missing.vectors.bin: no such file or folder"),
    (["damaged.vectors.bin", "father"], "damaged.vectors.bin as word vectors"),
    (["photo.jpg", "father"], "`dli-zoo similar` reads .bin"),
], ids=["another_models_name", "missing_file", "damaged", "not_vectors"])
def test_wrong_vectors_for_similar_are_one_line(arguments, fragment, dli_zoo, monkeypatch, tmp_path):
    bundled_file = pretrained.resolve("word2vec", "gutenberg")
    (tmp_path / "damaged.vectors.bin").write_bytes(bundled_file.read_bytes()[:1000])
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    monkeypatch.chdir(tmp_path)
    dli_zoo("similar", *arguments).refused(fragment)
    assert sorted(item.name for item in tmp_path.iterdir()) == ["damaged.vectors.bin", "photo.jpg"]


@pytest.mark.parametrize("arguments, fragments", [
    (["--weights", "gutenberg", "--most-similar", "father"],
     ["error: --weights only starts a training run", "`dli-zoo similar "]),
    (["--from", "gutenberg", "--passes", "2", "--most-similar", "father"],
     ["train_word2vec.py: error: --from: querying trained vectors is `dli-zoo similar "]),
    (["--weights", "photo.jpg"], ["'photo.jpg' is neither a weights name nor a word2vec .bin"]),
    (["--weights", "damaged.vectors.bin", "--output-dir", "run"], ["cannot read damaged.vectors.bin"]),
    (["--weights", "gutenberg", "--n-dim", "32", "--output-dir", "run"],
     ["--weights gutenberg holds 64-dimensional vectors, --n-dim gives 32"]),
], ids=["queries_with_weights", "old_query_mode", "not_vectors", "damaged_training", "other_size"])
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
    arguments = ["--data", "full", "--data-dir", corpus, "--min-count", "2", "--no-bigrams", "--passes", "1",
                 "--map-words", "20", "--plot-tokens", "10", "--workers", "1", "--seed", "1", "--quiet",
                 "--output-dir", output]
    with pytest.MonkeyPatch.context() as patcher:
        patcher.setattr(w2v.training, "take_over", spy)  # where train() looks it up
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


def test_a_finished_run_answers_like_the_weights_and_refuses_an_unknown_word(run_from_weights, dli_zoo):
    output, _, _ = run_from_weights
    before = {path: path.stat().st_mtime_ns for path in output.rglob("*")}
    result = dli_zoo("similar", output, "father", "--quiet").ok()
    assert len(result["answers"]["most_similar"]["father"]) == 5
    assert result["vocabulary"] == len(KNOWN) + len(MADE_UP) and result["weights"] == str(output / "word2vec.model")
    line = dli_zoo("similar", output, "zorblaxes", "--quiet").refused()
    assert line == f"error: {output}: 'zorblaxes' is not in its vocabulary of {len(KNOWN) + len(MADE_UP)} words"
    assert {path: path.stat().st_mtime_ns for path in output.rglob("*")} == before
