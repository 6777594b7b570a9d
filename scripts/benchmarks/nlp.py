"""Benchmark rows for chapter 11: sentiment classifier training and word2vec, per second.

Both sides run here, in one process, on the bundled real data:
- the convolutional and LSTM IMDb classifiers (book hyperparameters), training reviews per
  second: the book's way (``fit`` on padded NumPy arrays with ``batch_size=128``) against
  the zoo's ``imdb.load`` tf.data pipeline (batched, shuffled, prefetched), same model;
- word2vec (skip-gram, 64 dimensions, window 10), words per second: a direct gensim
  ``Word2Vec(sentences, ...)`` call with the book's arguments against ``zoo.word2vec.train``
  on the same cleaned corpus (the zoo adds progress reporting; the row shows what it costs).

    python scripts/benchmark.py --quick --only nlp
"""

from __future__ import annotations

from benchmarks._shared import accelerator, per_second


def _row(case, baseline, zoo, unit, note):
    return {"section": "nlp", "case": case, "baseline": round(baseline, 1), "zoo": round(zoo, 1), "unit": unit,
            "ratio": round(zoo / baseline, 2), "note": note}


def _classifier(arch: str, quick: bool) -> dict:
    import keras

    from zoo.sentiment import MODELS
    from zoo import recipes
    from zoo.datasets import imdb

    hyper = recipes.get(MODELS[arch]).data
    n = 256 if quick else 1000
    common = dict(num_words=hyper["n_unique_words"], skip_top=hyper["n_words_to_skip"],
                  max_review_length=hyper["max_review_length"], source="sample", max_examples=n)
    (x, y), _ = imdb.load_arrays(**common)
    train, _ = imdb.load(batch_size=128, **common)
    keras.utils.set_random_seed(0)
    model = recipes.get(MODELS[arch]).build_compiled(n_unique_words=hyper["n_unique_words"],
                                                     max_review_length=hyper["max_review_length"])
    repeats = 1 if quick else 3
    book = per_second(lambda: model.fit(x, y, batch_size=128, epochs=1, verbose=0), n, repeats)
    zoo = per_second(lambda: model.fit(train, epochs=1, verbose=0, shuffle=False), n, repeats)
    return _row(f"{MODELS[arch]} training ({hyper['max_review_length']} tokens, batch 128): "
                f"fit on NumPy (book) vs zoo tf.data", book, zoo, "reviews/s",
                f"{n} bundled IMDb reviews per epoch; best of {repeats}; {accelerator()}")


def _word2vec(quick: bool) -> dict:
    from gensim.models import Word2Vec

    from zoo import word2vec as w2v
    from zoo.datasets import gutenberg

    books = ["carroll-alice"] if quick else ["carroll-alice", "austen-persuasion", "shakespeare-hamlet"]
    epochs = 1 if quick else 5
    sentences, _ = gutenberg.load_sentences(source="sample", books=books)
    clean = w2v.clean_corpus(sentences)
    words = sum(map(len, clean)) * epochs

    def book():
        Word2Vec(sentences=clean, vector_size=64, sg=1, window=10, epochs=epochs, min_count=10, workers=4, seed=42)

    def zoo():
        w2v.train(clean, epochs=epochs, progress=False)

    repeats = 1 if quick else 3
    return _row(f"word2vec skip-gram, {len(books)} book(s), {epochs} epoch(s): gensim directly (book) vs "
                f"zoo.word2vec.train", per_second(book, words, repeats), per_second(zoo, words, repeats),
                "words/s", f"{words:,} corpus words (all epochs); vocabulary building included; 4 workers")


def rows(quick: bool) -> list[dict]:
    return [_classifier("conv", quick), _classifier("lstm", quick), _word2vec(quick)]
