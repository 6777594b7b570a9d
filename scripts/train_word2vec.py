"""Train the book's word2vec on Project Gutenberg books and map the vectors (chapter 11).

    python scripts/train_word2vec.py                        # offline: the bundled 8 books
    python scripts/train_word2vec.py --data-dir ~/texts      # any folder of .txt files
    python scripts/train_word2vec.py --from model_output/word2vec \\
        --most-similar dog --analogy king man woman          # query a trained model

The corpus is sentence- and word-tokenised, lower-cased, stripped of punctuation and joined
into bigrams (gensim Phrases), then gensim trains skip-gram vectors. The run writes
word2vec.model (gensim), queries.json (the book's queries), tsne.csv (2-D t-SNE coordinates
of the vocabulary) and word_vectors.html (an interactive bokeh map of 5,000 sampled tokens
that opens with no network), and prints the RESULT line.
"""

import json
from pathlib import Path

from zoo import cli, training
from zoo import word2vec as w2v
from zoo.datasets import gutenberg
from zoo.files import atomic_path, write_json

MODEL = "word2vec"

# preprocessing (the book's final "clean" corpus):
PHRASES_MIN_COUNT = 32  # gensim Phrases: a bigram must occur this often ...
PHRASES_THRESHOLD = 64  # ... and score this high
# word2vec (skip-gram):
N_DIM = 64  # vector_size
WINDOW = 10  # context words either side
MIN_COUNT = 10  # rarer words are left out of the vocabulary
WORKERS = 4
EPOCHS = 5  # passes over the corpus
# visualisation:
PLOT_TOKENS = 5000  # tokens drawn on the bokeh map

# the book's queries:
MOST_SIMILAR = ["father"]
DOESNT_MATCH = ["mother father sister brother dog"]
SIMILARITY = [["father", "dog"]]
ANALOGIES = [["father", "man", "woman"], ["husband", "man", "woman"]]  # a - b + c


def make_parser():
    parser = cli.make_parser(MODEL, __doc__, groups=("data", "run"))
    parser.may_change_on_resume.discard("epochs")  # gensim cannot train a finished model on
    corpus = parser.add_argument_group("corpus")
    corpus.add_argument("--books", default=None, help="comma-separated file ids, e.g. austen-emma,carroll-alice")
    corpus.add_argument("--max-sentences", type=cli.positive_int, default=None, help="quick runs")
    corpus.add_argument("--no-lower", dest="lower", action="store_false", help="keep capitals")
    corpus.add_argument("--keep-punctuation", dest="remove_punctuation", action="store_false")
    corpus.add_argument("--remove-stopwords", action="store_true", help="drop NLTK's English stop words")
    corpus.add_argument("--stem", action="store_true", help="Porter stemming")
    corpus.add_argument("--no-bigrams", dest="bigrams", action="store_false", help="skip gensim Phrases")
    corpus.add_argument("--phrases-min-count", type=cli.positive_int, default=PHRASES_MIN_COUNT)
    corpus.add_argument("--phrases-threshold", type=cli.positive_float, default=PHRASES_THRESHOLD)
    model = parser.add_argument_group("word2vec")
    model.add_argument("--epochs", type=cli.positive_int, default=EPOCHS, help="passes over the corpus")
    model.add_argument("--n-dim", type=cli.positive_int, default=N_DIM)
    model.add_argument("--window", type=cli.positive_int, default=WINDOW)
    model.add_argument("--min-count", type=cli.positive_int, default=MIN_COUNT)
    model.add_argument("--workers", type=cli.positive_int, default=WORKERS)
    model.add_argument("--cbow", action="store_true", help="CBOW instead of the book's skip-gram")
    plot = parser.add_argument_group("t-SNE and the bokeh map")
    plot.add_argument("--tsne-tokens", type=cli.positive_int, default=None,
                      help="embed only the most frequent tokens (default: the whole vocabulary, as the book)")
    plot.add_argument("--plot-tokens", type=cli.positive_int, default=PLOT_TOKENS)
    query = parser.add_argument_group("queries (default: the book's)")
    query.add_argument("--most-similar", action="append", metavar="WORD")
    query.add_argument("--doesnt-match", action="append", metavar="'WORDS ...'")
    query.add_argument("--similarity", action="append", nargs=2, metavar=("WORD", "WORD"))
    query.add_argument("--analogy", action="append", nargs=3, metavar=("A", "B", "C"), help="A - B + C")
    query.add_argument("--from", dest="from_dir", default=None, metavar="DIR",
                       help="answer the queries with the vectors of a finished run in DIR; train nothing")
    parser.allow_on_resume("most_similar", "doesnt_match", "similarity", "analogy", "from_dir")
    return parser


def answer_queries(args, wv) -> dict:
    answers = w2v.queries(
        wv,
        most_similar=args.most_similar or MOST_SIMILAR,
        doesnt_match=args.doesnt_match or DOESNT_MATCH,
        similarity=args.similarity or SIMILARITY,
        analogies=[((a, c), (b,)) for a, b, c in (args.analogy or ANALOGIES)],
    )
    if not args.quiet:
        print(json.dumps(answers, indent=1))
    return answers


def query_finished_run(args) -> None:
    """--from DIR: the queries answered by a finished run's vectors; nothing is written."""
    from gensim.models import Word2Vec

    path = Path(args.from_dir) / "word2vec.model"
    if not path.is_file():
        raise cli.UsageError(f"--from {args.from_dir}: no word2vec.model there; train one first")
    try:
        model = Word2Vec.load(str(path))
    except Exception as error:  # gensim unpickles: any damage surfaces as some exception
        raise cli.UsageError(f"--from {args.from_dir}: cannot read {path} ({cli.one_line(error)})") from None
    answers = answer_queries(args, model.wv)
    print("RESULT " + json.dumps({"model": MODEL, "word2vec_model": str(path), "vocabulary": len(model.wv),
                                  "queries": answers}), flush=True)


def save_gensim(model, path: Path) -> None:
    with atomic_path(path) as temporary:
        model.save(str(temporary), separately=[])  # one file, so the rename moves all of it


def main():
    from gensim.models import Word2Vec

    args = cli.parse_args(make_parser())
    if args.from_dir:
        return query_finished_run(args)
    run = training.Run(args, MODEL)
    seed = 42 if args.seed is None else args.seed

    def train_vectors():
        # corpus: sentences of word tokens, cleaned as the book's final version, read in full first
        books = args.books.split(",") if args.books else None
        sentences, data = gutenberg.load_sentences(args.data, args.data_dir, books, args.max_sentences)
        run.data(data)
        clean = w2v.clean_corpus(sentences, lower=args.lower, remove_punctuation=args.remove_punctuation,
                                 remove_stopwords=args.remove_stopwords, stem=args.stem, bigrams=args.bigrams,
                                 min_count=args.phrases_min_count, threshold=args.phrases_threshold)
        # word2vec: skip-gram vectors
        model = w2v.train(clean, vector_size=args.n_dim, window=args.window, epochs=args.epochs,
                          min_count=args.min_count, sg=0 if args.cbow else 1, workers=args.workers,
                          seed=seed, progress=not args.quiet)
        run.checkpoint(lambda _: save_gensim(model, run.path("word2vec.model")),
                       {"phase": "trained", "training": model.zoo_stats})
        return model

    model = run.restore(train_vectors, lambda _, __: Word2Vec.load(str(run.path("word2vec.model"))))

    if run.progress["phase"] != "mapped":
        # t-SNE of the vocabulary and the interactive map (a resumed run killed here makes them now)
        coordinates = w2v.tsne(model, max_tokens=args.tsne_tokens, seed=seed)
        with atomic_path(run.path("tsne.csv")) as temporary:
            coordinates.to_csv(temporary, index=False)
        w2v.bokeh_map(coordinates, run.path("word_vectors.html"), n_tokens=args.plot_tokens)
        run.checkpoint(progress={**run.progress, "phase": "mapped"})

    answers = answer_queries(args, model.wv)
    write_json(run.path("queries.json"), answers)

    stats = run.progress["training"]
    run.finish(None, {
        "vocabulary": len(model.wv),
        "training": stats,
        "words_per_second": stats.get("words_per_second"),
        "word2vec_model": str(run.output_dir / "word2vec.model"),
        "tsne_csv": str(run.output_dir / "tsne.csv"),
        "html": str(run.output_dir / "word_vectors.html"),
        "queries": answers,
    })


if __name__ == "__main__":
    cli.main(main)
