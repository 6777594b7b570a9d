"""Train the book's word2vec on Project Gutenberg books and map the vectors (chapter 11).

    python scripts/train_word2vec.py                        # offline: the bundled 8 books
    python scripts/train_word2vec.py --data-dir ~/texts      # any folder of .txt files
    python scripts/train_word2vec.py --weights gutenberg     # train, shared words starting from them

The corpus is sentence- and word-tokenised, lower-cased, stripped of punctuation and joined
into bigrams (gensim Phrases), then gensim trains skip-gram vectors. The run writes
word2vec.model (gensim), queries.json (the book's queries), tsne.csv (2-D t-SNE coordinates
of the vocabulary), word_vectors.html (a bokeh map that opens with no network: every word a
point, labels for a few hundred frequent words, a search box that zooms to a word and its
nearest neighbours; --map book draws the book's 5,000 sampled words as text instead) and the
TensorBoard Embedding Projector's vectors.tsv, metadata.tsv and projector_config.pbtxt
(tensorboard --logdir OUTPUT_DIR, then the Projector tab), and prints the RESULT line.

--weights starts a training run from trained vectors: each word of the new vocabulary they
hold starts from its trained vector, the others from random ones. Trained vectors answer
questions with `dli-zoo similar gutenberg father` and are mapped with `dli-zoo map gutenberg
--out words.html` (or a run's folder) instead.
"""

import argparse
import json
import logging
from pathlib import Path

from zoo import cli
from zoo import word2vec as w2v
from zoo.datasets import gutenberg
from zoo.files import atomic_path, write_json

MODEL = "word2vec"
log = logging.getLogger("zoo")

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
PLOT_TOKENS = 5000  # tokens drawn as text on the book's map (--map book)
MAP_LABELS = 300  # frequent words labelled on the readable map

# the book's queries:
MOST_SIMILAR = ["father"]
DOESNT_MATCH = ["mother father sister brother dog"]
SIMILARITY = [["father", "dog"]]
ANALOGIES = [["father", "man", "woman"], ["husband", "man", "woman"]]  # a - b + c
QUERY_FLAGS = {"most_similar": "--most-similar", "doesnt_match": "--doesnt-match", "similarity": "--similarity",
               "analogy": "--analogy"}
RUN_FILE = "word2vec.model"  # a run's gensim model, which dli-zoo similar and map read in a finished run's folder
SIMILAR_COMMAND = ("querying trained vectors is `dli-zoo similar MODEL/NAME|FILE|RUN_DIR WORD ...` (--analogy A B C, "
                   "--odd-one-out WORDS); `dli-zoo map` draws them")


def vectors_source(text: str) -> str:
    """--weights: a weights name (checked when it is loaded) or an existing file of word vectors."""
    from zoo.weights_names import NAME_PATTERN, is_weights_name

    if is_weights_name(text) and NAME_PATTERN.fullmatch(text):
        return text
    if not text.endswith(w2v.VECTOR_FILE_ENDINGS):
        raise argparse.ArgumentTypeError(f"{text!r} is neither a weights name nor {w2v.VECTOR_FILES_HELP}")
    if not Path(text).expanduser().is_file():
        raise argparse.ArgumentTypeError(f"{text}: no such file")
    return str(Path(text).expanduser())


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
    model.add_argument("--n-dim", type=cli.positive_int, default=None,
                       help=f"vector size (default: {N_DIM}; with --weights, the vectors' own)")
    model.add_argument("--window", type=cli.positive_int, default=WINDOW)
    model.add_argument("--min-count", type=cli.positive_int, default=MIN_COUNT)
    model.add_argument("--workers", type=cli.positive_int, default=WORKERS)
    model.add_argument("--cbow", action="store_true", help="CBOW instead of the book's skip-gram")
    model.add_argument("--weights", type=vectors_source, default=None, metavar="NAME|PATH",
                       help="start the training run from trained word vectors: each word they hold starts from "
                            "its vector. A name of zoo.pretrained (python -m zoo.pretrained) or "
                            f"{w2v.VECTOR_FILES_HELP} (gensim's are pickles: only files you trust)")
    plot = parser.add_argument_group("t-SNE and the bokeh map")
    plot.add_argument("--tsne-tokens", type=cli.positive_int, default=None,
                      help="embed only the most frequent tokens (default: the whole vocabulary, as the book)")
    plot.add_argument("--map", choices=w2v.MAP_STYLES, default="readable",
                      help="readable: every word a point, searchable, labels that do not overlap; "
                           "book: the book's sampled words drawn as text")
    plot.add_argument("--plot-tokens", type=cli.positive_int, default=PLOT_TOKENS, help="words on --map book")
    plot.add_argument("--map-labels", type=cli.positive_int, default=MAP_LABELS, help="labels on --map readable")
    query = parser.add_argument_group("queries (default: the book's; given ones replace them all)")
    query.add_argument("--most-similar", action="append", metavar="WORD")
    query.add_argument("--doesnt-match", action="append", metavar="'WORDS ...'")
    query.add_argument("--similarity", action="append", nargs=2, metavar=("WORD", "WORD"))
    query.add_argument("--analogy", action="append", nargs=3, metavar=("A", "B", "C"), help="A - B + C")
    cli.moved_flags(parser, ("--from",), SIMILAR_COMMAND)
    parser.allow_on_resume("most_similar", "doesnt_match", "similarity", "analogy", "map", "plot_tokens",
                           "map_labels")
    return parser


def asked(args) -> bool:
    """Whether the command line gives queries of its own."""
    return any(getattr(args, dest) for dest in QUERY_FLAGS)


def answer_queries(args, wv) -> dict:
    """The queries given on the command line, or, when none is, the book's."""
    book = not asked(args)
    answers = w2v.queries(
        wv,
        most_similar=args.most_similar or (MOST_SIMILAR if book else []),
        doesnt_match=args.doesnt_match or (DOESNT_MATCH if book else []),
        similarity=args.similarity or (SIMILARITY if book else []),
        analogies=[((a, c), (b,)) for a, b, c in (args.analogy or (ANALOGIES if book else []))],
    )
    if not args.quiet:
        print(json.dumps(answers, indent=1))
    return answers


def load_weights(args):
    """--weights as gensim KeyedVectors and their file; a name of no word2vec weights, or a file
    that cannot be read, is one line."""
    try:
        return w2v.load_vectors(args.weights)
    except ValueError as error:
        raise cli.UsageError(f"--weights {args.weights}: {cli.one_line(error)}") from None


def save_gensim(model, path: Path) -> None:
    with atomic_path(path) as temporary:
        model.save(str(temporary), separately=[])  # one file, so the rename moves all of it


def main():
    parser = make_parser()
    args = cli.parse_args(parser, load_backend=False)  # the flags checked first: a refusal is instant
    if args.weights and asked(args):
        parser.error(f"--weights only starts a training run (which answers the book's queries); {SIMILAR_COMMAND}")

    # a training run; --weights is one of its defining settings, so a resume must give the same
    start_vectors = None
    if args.weights:
        start_vectors, _ = load_weights(args)  # read, and checked, before the run writes anything
        if args.n_dim not in (None, start_vectors.vector_size):
            raise cli.UsageError(f"--weights {args.weights} holds {start_vectors.vector_size}-dimensional vectors, "
                                 f"--n-dim gives {args.n_dim}: leave --n-dim out to take theirs")
        args.n_dim = start_vectors.vector_size
    args.n_dim = args.n_dim or N_DIM  # resolved before the Run records it, as runs always recorded it

    cli.start_backend(args)  # the run's harness records the runtime
    from gensim.models import Word2Vec

    from zoo import training
    from zoo.checkpoints import same_file_as

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
                          seed=seed, progress=not args.quiet, start_vectors=start_vectors)
        if start_vectors is not None:
            taken, vocabulary = model.zoo_stats["words_taken_over"], len(model.wv)
            (log.warning if taken == 0 else log.info)(
                f"--weights {args.weights} ({len(start_vectors):,} words): {taken:,} of the {vocabulary:,} words "
                f"of this corpus started from their vectors, {vocabulary - taken:,} from random ones")
        run.checkpoint(lambda folder: save_gensim(model, folder / RUN_FILE),
                       {"phase": "trained", "training": model.zoo_stats})
        return model

    def trained_vectors(folder, progress):
        # runs of zoo 0.2 and before saved the model beside state.json, not in checkpoints/
        path = folder / RUN_FILE if (folder / RUN_FILE).is_file() else run.output_dir / RUN_FILE
        return Word2Vec.load(str(path))

    model = run.restore(train_vectors, trained_vectors)

    if run.progress["phase"] != "mapped":
        # t-SNE of the vocabulary, the map and the projector's files (a resumed run killed here makes them now)
        w2v.projector_files(model.wv, run.output_dir)
        try:
            coordinates = w2v.tsne(model, max_tokens=args.tsne_tokens, seed=seed)
        except ValueError as error:  # a vocabulary too small to map: the queries and RESULT still follow
            log.warning(f"no map: {cli.one_line(error)}")
        else:
            with atomic_path(run.path("tsne.csv")) as temporary:
                coordinates.to_csv(temporary, index=False)
            w2v.bokeh_map(coordinates, run.path("word_vectors.html"), n_tokens=args.plot_tokens, style=args.map,
                          vectors=model.wv, n_labels=args.map_labels)
        run.checkpoint(progress={**run.progress, "phase": "mapped"})

    answers = answer_queries(args, model.wv)
    write_json(run.path("queries.json"), answers)
    checkpoint = run.checkpoint_dir / RUN_FILE
    if checkpoint.is_file():  # the run's model beside its other files, where --from RUN_DIR reads it
        same_file_as(checkpoint, run.path(RUN_FILE))

    stats = run.progress["training"]
    started_from = {"weights": args.weights, "words_taken_over": stats.get("words_taken_over")} if args.weights else {}
    run.finish(None, {
        "vocabulary": len(model.wv),
        **started_from,
        "training": stats,
        "words_per_second": stats.get("words_per_second"),
        "word2vec_model": str(run.output_dir / "word2vec.model"),
        "tsne_csv": str(run.output_dir / "tsne.csv") if run.path("tsne.csv").is_file() else None,
        "html": str(run.output_dir / "word_vectors.html") if run.path("word_vectors.html").is_file() else None,
        "projector": str(run.output_dir / "projector_config.pbtxt"),
        "queries": answers,
    })


if __name__ == "__main__":
    cli.main(main)
