"""Train the book's word2vec on Project Gutenberg books and map the vectors (chapter 11).

    python scripts/train_word2vec.py                        # offline: the bundled 8 books
    python scripts/train_word2vec.py --data-dir ~/texts      # any folder of .txt files
    python scripts/train_word2vec.py --weights gutenberg     # train, shared words starting from them

The corpus is sentence- and word-tokenised, lower-cased, stripped of punctuation and joined
into bigrams (gensim Phrases), then gensim trains skip-gram vectors. The run writes
word2vec.model (gensim), queries.json (the book's queries), tsne.csv (2-D t-SNE coordinates
of the vocabulary), word_vectors.html (a bokeh map that opens with no network: every word a
point, labels for a few hundred frequent words, a search box that zooms to a word and its
nearest neighbours; --map-style book draws the book's 5,000 sampled words as text instead) and the
TensorBoard Embedding Projector's vectors.tsv, metadata.tsv and projector_config.pbtxt
(tensorboard --logdir OUTPUT_DIR, then the Projector tab), and prints the RESULT line.

--most-similar, --analogy, --similarity and --odd-one-out replace the book's queries: they are
part of what the run is (queries.json records their answers), so a resumed run must give the
same. Any other question to a finished run's vectors is `dli-zoo similar RUN_DIR WORD ...`, and
`dli-zoo map RUN_DIR --out words.html` maps them (with the same --map-* flags as here).

--weights starts a training run from trained vectors: each word of the new vocabulary they
hold starts from its trained vector, the others from random ones. Trained vectors answer
questions with `dli-zoo similar gutenberg father` and are mapped with `dli-zoo map gutenberg
--out words.html` instead.
"""

import argparse
import dataclasses
import json
import logging
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from zoo import cli, config
from zoo import word2vec as w2v
from zoo.datasets import gutenberg
from zoo.errors import one_line
from zoo.files import atomic_path, write_json
from zoo.runrecords import read_state

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
PASSES = 5  # gensim's passes over the corpus
SEED = 42  # gensim's and t-SNE's when --seed is not given: recorded as the run's
# visualisation:
PLOT_TOKENS = 5000  # tokens drawn as text on the book's map (--map-style book)
MAP_LABELS = 300  # frequent words labelled on the readable map

# the book's queries:
MOST_SIMILAR = ["father"]
ODD_ONE_OUT = [("mother", "father", "sister", "brother", "dog")]
SIMILARITY = [["father", "dog"]]
ANALOGIES = [["father", "man", "woman"], ["husband", "man", "woman"]]  # a - b + c
QUERIES = ("most_similar", "odd_one_out", "similarity", "analogy")
RUN_FILE = "word2vec.model"  # a run's gensim model, which dli-zoo similar and map read in a finished run's folder
SIMILAR_COMMAND = ("querying trained vectors is `dli-zoo similar MODEL/NAME|FILE|RUN_DIR WORD ...` (--analogy A B C, "
                   "--odd-one-out WORD ...); `dli-zoo map` draws them")


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


CORPUS, WORD2VEC, MAP = "corpus", "word2vec", "t-SNE and the bokeh map"
QUERY = "queries (default: the book's; given ones replace them all)"


@dataclass(frozen=True)
class Settings(config.Run, config.Data):
    model: ClassVar[str] = MODEL
    # the map's flags are spelled as dli-zoo map's
    renamed: ClassVar[dict[str, str]] = {"--epochs": "--passes N (gensim's passes over the corpus)",
                                         "--doesnt-match": "--odd-one-out",
                                         "--tsne-tokens": "--map-words N (the N most frequent words t-SNE places)",
                                         "--map": "--map-style {readable,book}"}
    moved: ClassVar[dict[str, str]] = {"--from": SIMILAR_COMMAND}
    derived: ClassVar[tuple[str, ...]] = ("n_dim",)  # the --weights' own, unless given

    books: str | None = config.setting(None, "comma-separated file ids, e.g. austen-emma,carroll-alice", group=CORPUS)
    max_sentences: int | None = config.setting(None, "quick runs", parse=cli.positive_int, group=CORPUS)
    lower: bool = config.setting(True, "keep capitals (default: lower-cased)", flag="--no-lower", group=CORPUS)
    remove_punctuation: bool = config.setting(True, "keep punctuation (default: removed)", flag="--keep-punctuation",
                                              group=CORPUS)
    remove_stopwords: bool = config.setting(False, "drop NLTK's English stop words", group=CORPUS)
    stem: bool = config.setting(False, "Porter stemming", group=CORPUS)
    bigrams: bool = config.setting(True, "skip gensim Phrases (default: frequent word pairs joined as bigrams)",
                                   flag="--no-bigrams", group=CORPUS)
    phrases_min_count: int = config.setting(PHRASES_MIN_COUNT, "gensim Phrases: a bigram occurs this often",
                                            parse=cli.positive_int, group=CORPUS)
    phrases_threshold: float = config.setting(PHRASES_THRESHOLD, "gensim Phrases: a bigram scores this high",
                                              parse=cli.positive_float, group=CORPUS)
    # gensim cannot train a finished model on: a resumed run keeps its passes
    passes: int = config.setting(PASSES, "gensim's passes over the corpus", parse=cli.positive_int, group=WORD2VEC)
    n_dim: int | None = config.setting(None, f"vector size (default: {N_DIM}; with --weights, the vectors' own)",
                                       parse=cli.positive_int, group=WORD2VEC)
    window: int = config.setting(WINDOW, "context words either side", parse=cli.positive_int, group=WORD2VEC)
    min_count: int = config.setting(MIN_COUNT, "rarer words are left out of the vocabulary", parse=cli.positive_int,
                                    group=WORD2VEC)
    workers: int = config.setting(WORKERS, "gensim's worker threads", parse=cli.positive_int, group=WORD2VEC)
    cbow: bool = config.setting(False, "CBOW instead of the book's skip-gram", group=WORD2VEC)
    # gensim and t-SNE are always seeded: the default is the seed that runs, so state.json records it
    seed: int = config.setting(SEED, "make the run repeatable (0 to 2**32-1)", parse=cli.seed, group="run")
    weights: str | None = config.setting(
        None, "start the training run from trained word vectors: each word they hold starts from its vector. A name "
              f"of zoo.pretrained (dli-zoo list) or {w2v.VECTOR_FILES_HELP} (gensim's are pickles: only files you "
              "trust)", parse=vectors_source, metavar="NAME|PATH", group=WORD2VEC)
    map_words: int | None = config.setting(
        None, "embed only the N most frequent words (default: the whole vocabulary, as the book)",
        parse=cli.positive_int, metavar="N", group=MAP)
    # the map is drawn afresh from the t-SNE coordinates: a resumed run may change how
    map_style: str = config.setting("readable", "readable: every word a point, searchable, labels that do not "
                                                "overlap; book: the book's sampled words drawn as text",
                                    choices=w2v.MAP_STYLES, on_resume=True, group=MAP)
    plot_tokens: int = config.setting(PLOT_TOKENS, "words drawn on --map-style book", parse=cli.positive_int,
                                      metavar="N", on_resume=True, group=MAP)
    map_labels: int = config.setting(MAP_LABELS, "words labelled on --map-style readable", parse=cli.positive_int,
                                     metavar="N", on_resume=True, group=MAP)
    # the queries define the run (queries.json is its record of them): other questions are dli-zoo similar's
    most_similar: tuple[str, ...] | None = config.setting(
        None, "the words nearest this one; give it again for more", action="append", metavar="WORD", group=QUERY)
    odd_one_out: tuple[tuple[str, ...], ...] | None = config.setting(
        None, "the word of these that fits least; give it again for more", action="append", nargs="+",
        metavar="WORD", group=QUERY)
    similarity: tuple[tuple[str, str], ...] | None = config.setting(
        None, "the cosine similarity of two words", action="append", nargs=2, metavar=("WORD", "WORD"),
        group=QUERY)
    analogy: tuple[tuple[str, str, str], ...] | None = config.setting(
        None, "A - B + C", action="append", nargs=3, metavar=("A", "B", "C"), group=QUERY)

    def asked(self) -> bool:
        """Whether the command line gives queries of its own."""
        return any(getattr(self, name) for name in QUERIES)


def check_queries(settings: Settings) -> None:
    """Queries that cannot be asked, in one line before anything runs: an --odd-one-out of one
    word, and other queries than a finished run's (they define it: ask its vectors with dli-zoo
    similar)."""
    problem = next(filter(None, map(w2v.odd_one_out_problem, settings.odd_one_out or ())), None)
    if problem:
        raise cli.UsageError(problem)
    if not (settings.resume and settings.asked()):
        return
    try:
        state = read_state(Path(settings.output_dir).expanduser())
    except cli.UsageError:
        return  # a damaged record: the run refuses it in its own words
    if not (state and state.get("finished") and state.get("model") == MODEL):
        return  # nothing finished to ask: the run's own check says what differs
    recorded = {**(state.get("config") or {}), **(state.get("settings") or {})}  # older runs: in config only
    typed = json.loads(json.dumps({name: getattr(settings, name) for name in QUERIES}))
    differ = [Settings.flag(name) for name in QUERIES if recorded.get(name) != typed[name]]
    if differ:
        folder = shlex.quote(settings.output_dir)
        raise cli.UsageError(
            f"--resume: the run in {settings.output_dir} finished with other queries than this command's "
            f"{', '.join(differ)} (its answers are in queries.json); ask its vectors with `dli-zoo similar {folder} "
            f"WORD ...` (--analogy A B C, --odd-one-out WORD ...)")


def answer_queries(settings: Settings, wv) -> dict:
    """The queries given on the command line, or, when none is, the book's."""
    book = not settings.asked()
    answers = w2v.queries(
        wv,
        most_similar=settings.most_similar or (MOST_SIMILAR if book else []),
        doesnt_match=[" ".join(words) for words in settings.odd_one_out or (ODD_ONE_OUT if book else [])],
        similarity=settings.similarity or (SIMILARITY if book else []),
        analogies=[((a, c), (b,)) for a, b, c in (settings.analogy or (ANALOGIES if book else []))],
    )
    if not settings.quiet:
        print(json.dumps(answers, indent=1))
    return answers


def load_weights(weights: str):
    """--weights as gensim KeyedVectors and their file; a name of no word2vec weights, or a file
    that cannot be read, is one line."""
    try:
        return w2v.load_vectors(weights)
    except ValueError as error:
        raise cli.UsageError(f"--weights {weights}: {one_line(error)}") from None


def save_gensim(model, path: Path) -> None:
    with atomic_path(path) as temporary:
        model.save(str(temporary), separately=[])  # one file, so the rename moves all of it


def main():
    settings = config.parse(Settings, __doc__, load_backend=False)  # the flags checked first: a refusal is instant
    if settings.weights and settings.asked():
        raise cli.UsageError(f"--weights only starts a training run (which answers the book's queries); "
                             f"{SIMILAR_COMMAND}")
    check_queries(settings)

    # a training run; --weights is one of its defining settings, so a resume must give the same
    start_vectors = None
    if settings.weights:
        start_vectors, _ = load_weights(settings.weights)  # read, and checked, before the run writes anything
        if settings.n_dim not in (None, start_vectors.vector_size):
            raise cli.UsageError(f"--weights {settings.weights} holds {start_vectors.vector_size}-dimensional "
                                 f"vectors, --n-dim gives {settings.n_dim}: leave --n-dim out to take theirs")
    # the vector size the run records: the one given, the --weights' own, or the book's
    settings = dataclasses.replace(settings, n_dim=settings.n_dim or (start_vectors.vector_size if start_vectors
                                                                      else N_DIM))

    cli.start_backend(settings)  # the run's harness records the runtime
    from gensim.models import Word2Vec

    from zoo import training
    from zoo.checkpoints import same_file_as

    run = training.Run(settings, MODEL)

    def train_vectors():
        # corpus: sentences of word tokens, cleaned as the book's final version, read in full first
        books = settings.books.split(",") if settings.books else None
        sentences, data = gutenberg.load_sentences(settings.data, settings.data_dir, books, settings.max_sentences)
        run.data(data)
        clean = w2v.clean_corpus(sentences, lower=settings.lower, remove_punctuation=settings.remove_punctuation,
                                 remove_stopwords=settings.remove_stopwords, stem=settings.stem,
                                 bigrams=settings.bigrams,
                                 min_count=settings.phrases_min_count, threshold=settings.phrases_threshold)
        # word2vec: skip-gram vectors
        model = w2v.train(clean, vector_size=settings.n_dim, window=settings.window, epochs=settings.passes,
                          min_count=settings.min_count, sg=0 if settings.cbow else 1, workers=settings.workers,
                          seed=settings.seed, progress=not settings.quiet, start_vectors=start_vectors)
        if start_vectors is not None:
            taken, vocabulary = model.zoo_stats["words_taken_over"], len(model.wv)
            (log.warning if taken == 0 else log.info)(
                f"--weights {settings.weights} ({len(start_vectors):,} words): {taken:,} of the {vocabulary:,} words "
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
            coordinates = w2v.tsne(model, max_tokens=settings.map_words, seed=settings.seed)
        except ValueError as error:  # a vocabulary too small to map: the queries and RESULT still follow
            log.warning(f"no map: {one_line(error)}")
        else:
            with atomic_path(run.path("tsne.csv")) as temporary:
                coordinates.to_csv(temporary, index=False)
            w2v.bokeh_map(coordinates, run.path("word_vectors.html"), n_tokens=settings.plot_tokens,
                          style=settings.map_style, vectors=model.wv, n_labels=settings.map_labels)
        run.checkpoint(progress={**run.progress, "phase": "mapped"})

    answers = answer_queries(settings, model.wv)
    write_json(run.path("queries.json"), answers)
    checkpoint = run.checkpoint_dir / RUN_FILE
    if checkpoint.is_file():  # the run's model beside its other files, where dli-zoo similar RUN_DIR reads it
        same_file_as(checkpoint, run.path(RUN_FILE))

    stats = run.progress["training"]
    started_from = ({"weights": settings.weights, "words_taken_over": stats.get("words_taken_over")}
                    if settings.weights else {})
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
