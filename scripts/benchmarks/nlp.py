"""Benchmark rows for chapter 11: sentiment classifier training and word2vec, per second.

Both sides run here, in one process, on the bundled real data:
- the convolutional and LSTM IMDb classifiers (book hyperparameters), training reviews per
  second: the book's way (``fit`` on padded NumPy arrays with ``batch_size=128``) against
  the zoo's ``imdb.load`` tf.data pipeline (batched, shuffled, prefetched), same model; a
  timed call is one epoch;
- word2vec (skip-gram, 64 dimensions, window 10), words per second: a direct gensim
  ``Word2Vec(sentences, ...)`` call with the book's arguments against ``zoo.word2vec.train``
  on the same cleaned corpus (the zoo adds argument checks and progress reporting); a timed
  call is a whole training, vocabulary building included.

    python scripts/benchmark.py --quick --only nlp
"""

from __future__ import annotations

from benchmarks._shared import SetupMeter, accelerator, alternate, row, setup_note


def _classifier(arch: str, quick: bool) -> dict:
    import keras

    from zoo.sentiment import MODELS
    from zoo import recipes
    from zoo.datasets import imdb

    hyper = recipes.get(MODELS[arch]).data
    # all 1,000 of the bundled sample's training reviews in quick mode too: with 512 (4 steps, about
    # 0.6 s a call) one disturbed round swung the median to 0.93; 1,000 reviews over 8 rounds gave 1.23
    n = 1000
    rounds = 7 if quick else 9
    common = dict(num_words=hyper["n_unique_words"], skip_top=hyper["n_words_to_skip"],
                  max_review_length=hyper["max_review_length"], source="sample", max_examples=n)
    (x, y), _ = imdb.load_arrays(**common)
    train, _ = imdb.load(batch_size=128, **common)
    keras.utils.set_random_seed(0)
    model = recipes.get(MODELS[arch]).build_compiled(n_unique_words=hyper["n_unique_words"],
                                                     max_review_length=hyper["max_review_length"])
    book_meter, zoo_meter = SetupMeter(), SetupMeter()
    times = alternate({"book": lambda: book_meter.fit(model, x, y, batch_size=128, epochs=1, verbose=0),
                       "zoo": lambda: zoo_meter.fit(model, train, epochs=1, verbose=0, shuffle=False)}, rounds=rounds)
    return row("nlp", f"{MODELS[arch]} training ({hyper['max_review_length']} tokens, batch 128): "
               f"fit on NumPy (book) vs zoo tf.data", times["book"], times["zoo"], baseline_amount=len(x),
               zoo_amount=len(x), unit="reviews/s",
               note=(f"{len(x)} bundled IMDb reviews per epoch; {accelerator()}; "
                     f"{setup_note(book_meter.setups, times['book'], 'set-up: book fit')}, "
                     f"{setup_note(zoo_meter.setups, times['zoo'], 'zoo fit')}"))


def _word2vec(quick: bool) -> dict:
    from gensim.models import Word2Vec

    from zoo import word2vec as w2v
    from zoo.datasets import gutenberg

    books = ["carroll-alice", "austen-persuasion", "shakespeare-hamlet"]
    epochs = 1 if quick else 5
    # both sides run the same gensim training, and its 4 threads on 2 cores make a call's time swing by
    # +-30% (measured): 25 cheap rounds (0.2 s a call in quick mode) keep the median near the truth
    rounds = 25
    sentences, _ = gutenberg.load_sentences(source="sample", books=books)
    clean = w2v.clean_corpus(sentences)
    words = sum(map(len, clean)) * epochs

    def book():
        Word2Vec(sentences=clean, vector_size=64, sg=1, window=10, epochs=epochs, min_count=10, workers=4, seed=42)

    times = alternate({"book": book, "zoo": lambda: w2v.train(clean, epochs=epochs, progress=False)}, rounds=rounds)
    return row("nlp", f"word2vec skip-gram, {len(books)} books, {epochs} epoch(s): gensim directly (book) vs "
               f"zoo.word2vec.train", times["book"], times["zoo"], baseline_amount=words, zoo_amount=words,
               unit="words/s", note=f"{words:,} corpus words (all epochs); vocabulary building included; 4 workers")


def rows(quick: bool) -> list[dict]:
    return [_classifier("conv", quick), _classifier("lstm", quick), _word2vec(quick)]
