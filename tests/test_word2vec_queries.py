"""word2vec on a corpus of the user's own: a query whose words the vocabulary lacks is one line,
the others are answered, and the run still ends with metrics.json, queries.json and RESULT. The
queries are typed alike in the script and in dli-zoo similar, and define the run: a finished run
is asked other questions with dli-zoo similar."""

import json
import sys

import numpy as np
import pytest

from conftest import load_script, parse_result, script_settings, user_lines
from zoo import cli
from zoo import word2vec as w2v

WORDS = "alpha beta gamma delta epsilon zeta eta theta".split()


def test_queries_missing_words_are_reported_and_the_rest_answered(caplog):
    from gensim.models import KeyedVectors

    vectors = KeyedVectors(4)
    vectors.add_vectors(WORDS, np.random.default_rng(0).normal(size=(len(WORDS), 4)).astype(np.float32))
    with caplog.at_level("WARNING", logger="zoo.word2vec"):
        answers = w2v.queries(vectors, most_similar=["alpha", "father"], doesnt_match=["alpha beta dog", "alpha beta gamma"],
                              similarity=[("alpha", "dog")], analogies=[(("alpha", "beta"), ("gamma",)),
                                                                         (("king", "beta"), ("man",))], topn=3)
    assert len(answers["most_similar"]["alpha"]) == 3
    assert answers["most_similar"]["father"] == {"missing": ["father"]}
    assert answers["doesnt_match"] == {"alpha beta dog": {"missing": ["dog"]},
                                       "alpha beta gamma": vectors.doesnt_match(["alpha", "beta", "gamma"])}
    assert answers["similarity"]["alpha dog"] == {"missing": ["dog"]}
    assert len(answers["analogy"]["alpha + beta - gamma"]) == 3
    assert answers["analogy"]["king + beta - man"] == {"missing": ["king", "man"]}
    skipped = [record.getMessage() for record in caplog.records]
    assert len(skipped) == 4 and all("\n" not in line and line.endswith("skipped") for line in skipped)
    assert "doesnt_match 'alpha beta dog': 'dog' not in the vocabulary of 8 words; skipped" in skipped


def test_a_corpus_without_the_books_words_still_finishes_the_run(tmp_path, monkeypatch, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = [" ".join(WORDS[(i + j) % len(WORDS)] for j in range(6)) + "." for i in range(200)]
    (corpus / "mine.txt").write_text("\n".join(lines))
    output = tmp_path / "run"
    module = load_script("train_word2vec.py")
    monkeypatch.setattr(sys, "argv", ["train_word2vec.py", "--data", "full", "--data-dir", str(corpus),
                                      "--min-count", "2", "--no-bigrams", "--passes", "1", "--workers", "1",
                                      "--seed", "1", "--quiet", "--output-dir", str(output), "--map-style", "book"])
    monkeypatch.setattr(cli.signal, "signal", lambda *_: None)  # pytest keeps its own SIGTERM handling
    cli.main(module.main)  # returns: no SystemExit, no traceback
    captured = capsys.readouterr()
    result = parse_result(captured.out)
    assert "Traceback" not in captured.err
    # the book's five queries, each missing its words: one line each
    assert sum("not in the vocabulary" in line for line in user_lines(captured.err)) == 5
    assert result["queries"]["most_similar"]["father"] == {"missing": ["father"]}
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["vocabulary"] == len(WORDS) and metrics["queries"] == result["queries"]
    assert json.loads((output / "queries.json").read_text()) == result["queries"]
    # the book's map (no search box) and the projector's files
    assert "AutocompleteInput" not in (output / "word_vectors.html").read_text()
    assert sorted((output / "metadata.tsv").read_text().split()) == sorted(WORDS)
    assert result["projector"] == str(output / "projector_config.pbtxt") and (output / "vectors.tsv").is_file()


def tiny_vectors():
    from gensim.models import KeyedVectors

    vectors = KeyedVectors(4)
    vectors.add_vectors(WORDS, np.random.default_rng(0).normal(size=(len(WORDS), 4)).astype(np.float32))
    return vectors


def test_the_script_takes_odd_one_out_words_apart_and_again_for_more():
    """--odd-one-out takes separate words, as dli-zoo similar's does, and may be given again;
    queries.json keys each by its words joined with spaces."""
    settings = script_settings("train_word2vec.py", ["--odd-one-out", "alpha", "beta", "gamma", "--odd-one-out",
                                                     "delta", "eta", "theta", "--quiet"], load_backend=False)
    assert settings.odd_one_out == (("alpha", "beta", "gamma"), ("delta", "eta", "theta"))
    vectors = tiny_vectors()
    answers = load_script("train_word2vec.py").answer_queries(settings, vectors)
    assert answers["doesnt_match"] == {"alpha beta gamma": vectors.doesnt_match(["alpha", "beta", "gamma"]),
                                       "delta eta theta": vectors.doesnt_match(["delta", "eta", "theta"])}
    assert answers["most_similar"] == {} and answers["analogy"] == {}  # given queries replace the book's


def run_script_main(monkeypatch, *args) -> int:
    monkeypatch.setattr(sys, "argv", ["train_word2vec.py", *map(str, args)])
    monkeypatch.setattr(cli.signal, "signal", lambda *_: None)  # pytest keeps its own SIGTERM handling
    try:
        cli.main(load_script("train_word2vec.py").main)
    except SystemExit as exited:
        return exited.code
    return 0


@pytest.mark.parametrize("words, problem", [
    (["mother father sister brother dog"], "takes its words apart, not in one quoted string: "
                                           "--odd-one-out mother father sister brother dog"),
    (["mother father", "dog"], "takes its words apart, not in one quoted string: --odd-one-out mother father dog"),
    (["dog"], "needs two words or more"),
])
def test_odd_one_out_as_one_quoted_string_or_one_word_is_one_line_in_both(words, problem, dli_zoo, monkeypatch,
                                                                          capsys, tmp_path):
    """A quoted group of words is refused in one line that shows them typed apart, by the script
    and by dli-zoo similar alike; one word alone is too few. Nothing is written."""
    monkeypatch.chdir(tmp_path)
    dli_zoo("similar", "gutenberg", "--odd-one-out", *words).refused(f"dli-zoo similar: error: --odd-one-out {problem}")
    capsys.readouterr()
    assert run_script_main(monkeypatch, "--odd-one-out", *words, "--output-dir", tmp_path / "run") == 2
    assert user_lines(capsys.readouterr().err) == [f"error: --odd-one-out {problem}"]
    assert list(tmp_path.iterdir()) == []


def test_a_run_records_its_seed_and_refuses_other_queries_once_finished(tmp_path, monkeypatch, capsys):
    """Without --seed the run records the seed gensim and t-SNE used (42), not null; the finished
    run resumed with other queries is refused in one line naming dli-zoo similar, and nothing in
    its folder changes."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "mine.txt").write_text("\n".join(" ".join(WORDS[(i + j) % len(WORDS)] for j in range(6)) + "."
                                               for i in range(200)))
    output = tmp_path / "run"
    arguments = ["--data", "full", "--data-dir", corpus, "--min-count", "2", "--no-bigrams", "--passes", "1",
                 "--workers", "1", "--quiet", "--output-dir", output, "--most-similar", "alpha"]
    assert run_script_main(monkeypatch, *arguments) == 0
    state = json.loads((output / "state.json").read_text())
    assert state["settings"]["seed"] == state["config"]["seed"] == 42 and state["finished"] is True
    assert state["settings"]["most_similar"] == ["alpha"]  # the queries define the run
    before = {path: path.stat().st_mtime_ns for path in output.rglob("*")}
    capsys.readouterr()
    assert run_script_main(monkeypatch, *arguments[:-1], "beta", "--resume") == 2
    [line] = user_lines(capsys.readouterr().err)
    assert line.startswith(f"error: --resume: the run in {output} finished with other queries than this command's "
                           f"--most-similar") and f"`dli-zoo similar {output} WORD ...`" in line, line
    assert {path: path.stat().st_mtime_ns for path in output.rglob("*")} == before
