"""Word vectors: the Gutenberg corpus, the book's cleaning, gensim word2vec, t-SNE and bokeh."""

import csv
import re

import pytest

from zoo import word2vec as w2v
from zoo.datasets import gutenberg
from zoo.datasets import DataSourceError


def test_sentences_are_split_and_tokenised_like_nltk():
    text = 'It was a dark night. "Who\'s there?" said Mr. Brown--quietly.\n\nCHAPTER II\nThe end'
    sentences = gutenberg.sentences_of(text)
    assert sentences[0] == ["It", "was", "a", "dark", "night", "."]
    assert ["Who", "'", "s", "there", '?"'] == sentences[1][1:6]  # WordPunct: \w+|[^\w\s]+
    assert "--" in sentences[-2] or "--" in sentences[-3]
    assert sentences[-1] == ["CHAPTER", "II", "The", "end"] or sentences[-1] == ["The", "end"]


def test_bundled_sample_is_eight_real_books():
    books = gutenberg.fileids(source="sample")
    assert len(books) == 8 and "carroll-alice" in books and "austen-emma" in books
    sentences, info = gutenberg.load_sentences(source="sample", books=["carroll-alice"])
    assert info.source == "sample" and info.notes["books"] == ["carroll-alice"]
    assert sentences[0][:4] == ["[", "Alice", "'", "s"]
    assert 30_000 < info.notes["tokens"] < 40_000  # NLTK counts 34,110 WordPunct tokens


def test_a_folder_of_text_files_is_the_corpus(tmp_path):
    (tmp_path / "mine.txt").write_text("The cat sat. The dog ran.")
    sentences, info = gutenberg.load_sentences(source="full", data_dir=tmp_path)
    assert info.source == "full" and sentences == [["The", "cat", "sat", "."], ["The", "dog", "ran", "."]]


def test_missing_or_empty_corpus_is_a_clear_error(tmp_path):
    with pytest.raises(DataSourceError, match="no Gutenberg text files found"):
        gutenberg.load_sentences(source="full", data_dir=tmp_path)  # no .txt, no NLTK data, offline
    (tmp_path / "empty.txt").write_text(" \n")
    with pytest.raises(DataSourceError, match="holds no words"):
        gutenberg.load_sentences(source="full", data_dir=tmp_path)
    with pytest.raises(ValueError, match="books=\\['nope'\\]"):
        gutenberg.load_sentences(source="sample", books=["nope"])
    with pytest.raises(ValueError, match="the corpus is empty"):
        w2v.clean_corpus([[], []])
    with pytest.raises(ValueError, match="empty after cleaning"):
        w2v.clean_corpus([["!", "..."]], bigrams=False)


def test_without_nltks_data_the_fallbacks_are_used_and_said_once(monkeypatch):
    import nltk.corpus

    notes = []
    monkeypatch.setattr(gutenberg, "_NOTED", set())
    monkeypatch.setattr(gutenberg, "punkt_available", lambda: False)
    monkeypatch.setattr(gutenberg, "announce", notes.append)
    for _ in range(2):
        assert gutenberg.split_sentences("Who is there? Nobody. Mr. Brown left.") == [
            "Who is there?", "Nobody.", "Mr.", "Brown left."]  # a regex: cruder than Punkt after "Mr."
    assert len(notes) == 1 and "punkt_tab" in notes[0]

    class Missing:
        def words(self, language):
            raise LookupError("stopwords not found")

    monkeypatch.setattr(w2v.training, "_NOTED", set())
    monkeypatch.setattr(nltk.corpus, "stopwords", Missing())
    warnings = []
    monkeypatch.setattr(w2v.log, "warning", warnings.append)
    assert w2v.stop_words() == w2v.stop_words() == frozenset(w2v.ENGLISH_STOP_WORDS)
    assert len(w2v.ENGLISH_STOP_WORDS) == 179 and len(warnings) == 1 and "built-in copy" in warnings[0]


def test_cleaning_options_do_what_the_book_shows():
    sentences = [["The", "Cat", ",", "sat", "on", "the", "mats", "."]]
    assert w2v.clean_corpus(sentences, bigrams=False) == [["the", "cat", "sat", "on", "the", "mats"]]
    assert w2v.clean_corpus(sentences, remove_stopwords=True, bigrams=False) == [["cat", "sat", "mats"]]
    assert w2v.clean_corpus(sentences, stem=True, remove_stopwords=True, bigrams=False) == [["cat", "sat", "mat"]]
    assert w2v.clean_corpus(sentences, lower=False, remove_punctuation=False, bigrams=False) == sentences
    assert {"the", "and", "not", "you're"} <= w2v.stop_words()
    # gensim Phrases joins a pair that occurs far more often together than apart
    corpus = [[f"went{i}", "new", "york", f"on{i}"] for i in range(40)] + [["a", "new", "day", "in", "york"]]
    cleaned = w2v.clean_corpus(corpus, min_count=5, threshold=1)
    assert "new_york" in cleaned[0] and "new_york" not in cleaned[-1]


@pytest.fixture(scope="module")
def alice_model():
    sentences, _ = gutenberg.load_sentences(source="sample", books=["carroll-alice"])
    return w2v.train(w2v.clean_corpus(sentences), min_count=5, epochs=3, workers=2, progress=False)


def test_word2vec_learns_the_common_words(alice_model):
    vocabulary = set(alice_model.wv.index_to_key)
    assert {"alice", "the", "said", "queen", "rabbit"} <= vocabulary
    assert "," not in vocabulary and "Alice" not in vocabulary  # cleaned: lower-case, no punctuation
    assert alice_model.wv.vector_size == 64 and alice_model.sg == 1 and alice_model.window == 10
    assert alice_model.zoo_stats["words_per_second"] > 0
    answers = w2v.queries(alice_model.wv, most_similar=["alice"], doesnt_match=["alice queen king zzz"],
                          similarity=[("alice", "queen")], analogies=[(("king", "woman"), ("man",))])
    assert len(answers["most_similar"]["alice"]) == 5
    assert answers["similarity"]["alice queen"] == pytest.approx(float(alice_model.wv.similarity("alice", "queen")),
                                                                 abs=1e-4)
    with pytest.raises(ValueError, match="no word occurs min_count=1000"):
        w2v.train([["a", "b"]] * 3, min_count=1000, progress=False)
    with pytest.raises(ValueError, match="vector_size=0"):
        w2v.train([["a", "b"]], vector_size=0, progress=False)


def test_tsne_csv_and_self_contained_bokeh_map(alice_model, tmp_path):
    coordinates = w2v.tsne(alice_model, max_tokens=150)
    assert list(coordinates.columns) == ["token", "x", "y"] and len(coordinates) == 150
    assert list(coordinates.token) == alice_model.wv.index_to_key[:150]
    path = w2v.bokeh_map(coordinates, tmp_path / "map.html", n_tokens=100)
    html = path.read_text()
    assert re.findall(r"<script[^>]*\bsrc\s*=", html) == []  # no external script of any kind
    assert "Bokeh" in html and len(html) > 500_000  # BokehJS itself is inlined
    assert html.count('"alice"') >= 1 or html.count("alice") >= 1


def test_script_trains_maps_and_answers_queries(script, tmp_path, dli_zoo):
    out = tmp_path / "w2v"
    _, result = script("train_word2vec.py", "--books", "carroll-alice", "--min-count", "5", "--passes", "2",
                       "--map-words", "120", "--plot-tokens", "80", "--workers", "2", "--output-dir", out,
                       "--quiet", "--seed", "1")
    assert result["data"] == "sample" and result["vocabulary"] > 500
    for key in ("word2vec_model", "html", "tsne_csv"):
        assert (out / result[key].rsplit("/", 1)[-1]).stat().st_size > 0
    with open(out / "tsne.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 120 and rows[0]["token"] == "the"
    assert "father" in result["queries"]["most_similar"]  # the book's queries by default
    # the finished run answers new questions (dli-zoo similar RUN_DIR) without training again
    before = {path: path.stat().st_mtime_ns for path in out.rglob("*")}
    again = dli_zoo("similar", out, "alice", "--quiet").ok()
    assert len(again["answers"]["most_similar"]["alice"]) == 5 and again["vocabulary"] == result["vocabulary"]
    assert {path: path.stat().st_mtime_ns for path in out.rglob("*")} == before  # a query writes nothing
