"""word2vec on a corpus of the user's own: a query whose words the vocabulary lacks is one line,
the others are answered, and the run still ends with metrics.json, queries.json and RESULT."""

import json
import sys

import numpy as np

from conftest import load_script, parse_result, user_lines
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
                                      "--seed", "1", "--quiet", "--output-dir", str(output), "--map", "book"])
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
