"""Train the book's word2vec on Project Gutenberg books and map the vectors (chapter 11).

    python scripts/train_word2vec.py                        # offline: the bundled 8 books
    python scripts/train_word2vec.py --data-dir ~/texts      # any folder of .txt files
    python scripts/train_word2vec.py --output-dir model_output/word2vec --resume \\
        --most-similar dog --analogy king man woman          # query a trained model

The corpus is sentence- and word-tokenised, lower-cased, stripped of punctuation and joined
into bigrams (gensim Phrases), then gensim trains skip-gram vectors. The run writes
word2vec.model (gensim), queries.json (the book's queries), tsne.csv (2-D t-SNE coordinates
of the vocabulary) and word_vectors.html (an interactive bokeh map of 5,000 sampled tokens
that opens with no network), and prints the RESULT line.
"""

import json

from zoo import training
from zoo import word2vec as w2v
from zoo.datasets import gutenberg

MODEL = "word2vec"

# preprocessing (the book's final "clean" corpus):
PHRASES_MIN_COUNT = 32  # gensim Phrases: a bigram must occur this often ...
PHRASES_THRESHOLD = 64  # ... and score this high
# word2vec (skip-gram):
N_DIM = 64  # vector_size
WINDOW = 10  # context words either side
MIN_COUNT = 10  # rarer words are left out of the vocabulary
WORKERS = 4
EPOCHS = 5
# visualisation:
PLOT_TOKENS = 5000  # tokens drawn on the bokeh map

# the book's queries:
MOST_SIMILAR = ["father"]
DOESNT_MATCH = ["mother father sister brother dog"]
SIMILARITY = [["father", "dog"]]
ANALOGIES = [["father", "man", "woman"], ["husband", "man", "woman"]]  # a - b + c


def make_parser():
    parser = training.make_parser(MODEL, __doc__, epochs=EPOCHS, batch_size=1)
    corpus = parser.add_argument_group("corpus")
    corpus.add_argument("--books", default=None, help="comma-separated file ids, e.g. austen-emma,carroll-alice")
    corpus.add_argument("--max-sentences", type=training.positive_int, default=None, help="quick runs")
    corpus.add_argument("--no-lower", dest="lower", action="store_false", help="keep capitals")
    corpus.add_argument("--keep-punctuation", dest="remove_punctuation", action="store_false")
    corpus.add_argument("--remove-stopwords", action="store_true", help="drop NLTK's English stop words")
    corpus.add_argument("--stem", action="store_true", help="Porter stemming")
    corpus.add_argument("--no-bigrams", dest="bigrams", action="store_false", help="skip gensim Phrases")
    corpus.add_argument("--phrases-min-count", type=training.positive_int, default=PHRASES_MIN_COUNT)
    corpus.add_argument("--phrases-threshold", type=float, default=PHRASES_THRESHOLD)
    model = parser.add_argument_group("word2vec")
    model.add_argument("--n-dim", type=training.positive_int, default=N_DIM)
    model.add_argument("--window", type=training.positive_int, default=WINDOW)
    model.add_argument("--min-count", type=training.positive_int, default=MIN_COUNT)
    model.add_argument("--workers", type=training.positive_int, default=WORKERS)
    model.add_argument("--cbow", action="store_true", help="CBOW instead of the book's skip-gram")
    plot = parser.add_argument_group("t-SNE and the bokeh map")
    plot.add_argument("--tsne-tokens", type=training.positive_int, default=None,
                      help="embed only the most frequent tokens (default: the whole vocabulary, as the book)")
    plot.add_argument("--plot-tokens", type=training.positive_int, default=PLOT_TOKENS)
    query = parser.add_argument_group("queries (default: the book's)")
    query.add_argument("--most-similar", action="append", metavar="WORD")
    query.add_argument("--doesnt-match", action="append", metavar="'WORDS ...'")
    query.add_argument("--similarity", action="append", nargs=2, metavar=("WORD", "WORD"))
    query.add_argument("--analogy", action="append", nargs=3, metavar=("A", "B", "C"), help="A - B + C")
    return parser


def main():
    from gensim.models import Word2Vec

    args = training.parse_args(make_parser())
    run = training.Run(args, MODEL)
    model_file = run.path("word2vec.model")  # creates the folder (replacing it with --overwrite)

    if args.resume and model_file.exists():
        model, data = Word2Vec.load(str(model_file)), None
        stats = json.loads((run.output_dir / "metrics.json").read_text()).get("training", {}) \
            if (run.output_dir / "metrics.json").exists() else {}
        print(f"loaded {model_file}")
    else:
        # corpus: sentences of word tokens, cleaned as the book's final version
        books = args.books.split(",") if args.books else None
        sentences, data = gutenberg.load_sentences(args.data, args.data_dir, books, args.max_sentences)
        clean = w2v.clean_corpus(sentences, lower=args.lower, remove_punctuation=args.remove_punctuation,
                                 remove_stopwords=args.remove_stopwords, stem=args.stem, bigrams=args.bigrams,
                                 min_count=args.phrases_min_count, threshold=args.phrases_threshold)
        # word2vec: skip-gram vectors
        model = w2v.train(clean, vector_size=args.n_dim, window=args.window, epochs=args.epochs,
                          min_count=args.min_count, sg=0 if args.cbow else 1, workers=args.workers,
                          seed=42 if args.seed is None else args.seed, progress=not args.quiet)
        stats = model.zoo_stats
        with training.atomic_path(model_file) as temporary:
            model.save(str(temporary), separately=[])  # one file, so the rename moves all of it

        # t-SNE of the vocabulary and the interactive map
        coordinates = w2v.tsne(model, max_tokens=args.tsne_tokens, seed=42 if args.seed is None else args.seed)
        with training.atomic_path(run.path("tsne.csv")) as temporary:
            coordinates.to_csv(temporary, index=False)
        w2v.bokeh_map(coordinates, run.path("word_vectors.html"), n_tokens=args.plot_tokens)

    answers = w2v.queries(
        model.wv,
        most_similar=args.most_similar or MOST_SIMILAR,
        doesnt_match=args.doesnt_match or DOESNT_MATCH,
        similarity=args.similarity or SIMILARITY,
        analogies=[((a, c), (b,)) for a, b, c in (args.analogy or ANALOGIES)],
    )
    training.write_json(run.path("queries.json"), answers)
    if not args.quiet:
        print(json.dumps(answers, indent=1))

    if data is not None:
        run.data_info = data
    run.finish(None, {
        "vocabulary": len(model.wv),
        "training": stats,
        "words_per_second": stats.get("words_per_second"),
        "word2vec_model": str(model_file),
        "tsne_csv": str(run.output_dir / "tsne.csv"),
        "html": str(run.output_dir / "word_vectors.html"),
        "queries": answers,
    })


if __name__ == "__main__":
    training.main(main)
