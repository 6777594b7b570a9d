"""Chapter 11, word vectors: corpus cleaning, gensim word2vec, t-SNE and a bokeh map.

    from zoo.datasets import gutenberg
    from zoo import word2vec
    sentences, _ = gutenberg.load_sentences()
    clean = word2vec.clean_corpus(sentences)            # the book's lower-cased, bigrammed corpus
    model = word2vec.train(clean)                       # skip-gram, 64 dimensions, window 10
    model.wv.most_similar("father")
    coords = word2vec.tsne(model)                       # a DataFrame: token, x, y
    word2vec.bokeh_map(coords, "word_vectors.html", vectors=model.wv)  # searchable, opens with no network
    word2vec.projector_files(model.wv, "projector")     # tensorboard --logdir projector: the vectors in 3-D
    vectors, _ = word2vec.load_vectors("gutenberg")     # trained vectors: a name of zoo.pretrained or a file
    model = word2vec.train(clean, start_vectors=vectors)  # shared words start from them

The book's preprocessing steps are options of :func:`clean_corpus`; stop words come from
NLTK when its ``stopwords`` data is installed, else from the copy of NLTK's English list
below (no download needed).
"""

from __future__ import annotations

import contextlib
import logging
import os
import string
import tempfile
import time
from pathlib import Path

log = logging.getLogger("zoo.word2vec")

# NLTK's English stop words (nltk_data corpora/stopwords/english, 179 words), for offline use.
ENGLISH_STOP_WORDS = tuple("""
i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves
he him his himself she she's her hers herself it it's its itself they them their theirs themselves
what which who whom this that that'll these those am is are was were be been being have has had
having do does did doing a an the and but if or because as until while of at by for with about
against between into through during before after above below to from up down in out on off over
under again further then once here there when where why how all any both each few more most other
some such no nor not only own same so than too very s t can will just don don't should should've
now d ll m o re ve y ain aren aren't couldn couldn't didn didn't doesn doesn't hadn hadn't hasn
hasn't haven haven't isn isn't ma mightn mightn't mustn mustn't needn needn't shan shan't shouldn
shouldn't wasn wasn't weren weren't won won't wouldn wouldn't
""".split())

# files of word vectors, by ending: word2vec's own formats (zoo.pretrained.export writes .vectors.bin),
# and gensim's saved objects (a Word2Vec, as a run's word2vec.model, or KeyedVectors)
WORD2VEC_BINARY = (".bin",)
WORD2VEC_TEXT = (".txt", ".vec")
GENSIM_FILES = (".model", ".kv")
VECTOR_FILE_ENDINGS = WORD2VEC_BINARY + WORD2VEC_TEXT + GENSIM_FILES
VECTOR_FILES_HELP = "a word2vec .bin (as .vectors.bin) or .txt/.vec file, or a gensim .model/.kv file"

_PUNCTUATION = set(string.punctuation)
_NOTED: set[str] = set()


def stop_words() -> frozenset:
    """NLTK's English stop words: from its data when installed, else the built-in copy."""
    try:
        from nltk.corpus import stopwords

        return frozenset(stopwords.words("english"))
    except (ImportError, LookupError, OSError):
        if "stopwords" not in _NOTED:
            _NOTED.add("stopwords")
            log.warning("NLTK's stopwords data is not installed: using the built-in copy of its English list")
        return frozenset(ENGLISH_STOP_WORDS)


def _is_punctuation(token: str) -> bool:
    return all(character in _PUNCTUATION for character in token)


def clean_corpus(sentences, lower=True, remove_punctuation=True, remove_stopwords=False, stem=False,
                 bigrams=True, min_count=32, threshold=64):
    """The book's preprocessing of tokenised sentences; by default its final "clean" corpus.

    Args:
        sentences: an iterable of lists of word tokens.
        lower: lower-case every token.
        remove_punctuation: drop tokens made only of punctuation (the book's notebook drops
            ``string.punctuation`` while lower-casing).
        remove_stopwords: drop NLTK's English stop words (shown in the book, not kept).
        stem: Porter-stem every token (shown in the book, not kept).
        bigrams: join frequent word pairs such as ``new_york`` with gensim ``Phrases``,
            using ``min_count`` and ``threshold`` (the book's final 32 and 64).

    Returns a list of lists of tokens; sentences left empty are dropped. Raises
    ``ValueError`` when nothing is left.
    """
    sentences = [list(s) for s in sentences]
    if not any(sentences):
        raise ValueError("the corpus is empty: expected sentences of word tokens")
    stops = stop_words() if remove_stopwords else frozenset()
    stemmer = None
    if stem:
        from nltk.stem.porter import PorterStemmer  # pure Python, no NLTK data needed

        stemmer = PorterStemmer()
    cleaned = []
    for sentence in sentences:
        tokens = [t.lower() if lower else t for t in sentence]
        if remove_punctuation:
            tokens = [t for t in tokens if not _is_punctuation(t)]
        if stops:
            tokens = [t for t in tokens if t.lower() not in stops]
        if stemmer is not None:
            tokens = [stemmer.stem(t) for t in tokens]
        if tokens:
            cleaned.append(tokens)
    if not cleaned:
        raise ValueError("the corpus is empty after cleaning: no tokens are left")
    if bigrams:
        from gensim.models.phrases import Phraser, Phrases

        phraser = Phraser(Phrases(cleaned, min_count=min_count, threshold=threshold))
        cleaned = [phraser[s] for s in cleaned]
    return cleaned


class _Progress:
    """A tqdm bar over word2vec's epochs (gensim reports per epoch through callbacks)."""

    def __new__(cls, epochs: int, enabled: bool):
        from gensim.models.callbacks import CallbackAny2Vec
        from tqdm.auto import tqdm

        class Progress(CallbackAny2Vec):
            def __init__(self):
                self.bar = tqdm(total=epochs, desc="word2vec", unit="epoch", disable=not enabled)

            def on_epoch_end(self, model):
                self.bar.update(1)

            def on_train_end(self, model):
                self.bar.close()

        return Progress()


@contextlib.contextmanager
def quiet_gensim():
    """gensim logs each load at INFO, a dict of versions included: that is noise beside the
    zoo's own lines, and would make a refusal more than one line."""
    logger = logging.getLogger("gensim")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


def load_vectors(source):
    """Trained word vectors, as gensim ``KeyedVectors``, and the file they came from.

    ``source`` is a name of ``zoo.pretrained`` for the model ``word2vec`` (``"gutenberg"``), a
    word2vec-format file (``.bin`` binary, as ``zoo.pretrained.export`` writes ``.vectors.bin``;
    ``.txt``/``.vec`` text) or a file gensim saved (``.model``: a ``Word2Vec``, as a run's
    ``word2vec.model``; ``.kv``: ``KeyedVectors``). gensim's own files are pickles, which run
    code as they load: load only files you trust. Anything else, or a file that cannot be read,
    is a one-line ``ValueError``.
    """
    from zoo import pretrained

    text = str(source)
    if pretrained.is_weights_name(text) and pretrained.NAME_PATTERN.fullmatch(text):
        path = pretrained.resolve("word2vec", text)
        with quiet_gensim():
            return pretrained.load_word_vectors(text), path
    path = Path(text).expanduser()
    if not path.name.endswith(VECTOR_FILE_ENDINGS):
        raise ValueError(f"{text!r} is neither a weights name nor a word-vectors file ({VECTOR_FILES_HELP})")
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    from gensim.models import KeyedVectors
    from gensim.utils import SaveLoad

    try:
        with quiet_gensim():
            if path.name.endswith(GENSIM_FILES):
                loaded = SaveLoad.load(str(path))
                vectors = getattr(loaded, "wv", loaded)  # a Word2Vec holds its vectors in .wv
            else:
                vectors = KeyedVectors.load_word2vec_format(str(path), binary=path.name.endswith(WORD2VEC_BINARY))
    except Exception as error:  # gensim reports damage as whatever its parser or unpickling meets
        raise ValueError(f"cannot read {path} as word vectors ({' '.join(str(error).split()) or type(error).__name__})"
                         ) from None
    if not isinstance(vectors, KeyedVectors):
        raise ValueError(f"{path} holds a {type(vectors).__name__}, not word vectors")
    return vectors, path


def take_over(model, vectors, lockf=1.0) -> int:
    """Copy ``vectors`` of the words ``model``'s vocabulary shares with them into the model,
    before training (the others keep their random start); returns how many words were copied.

    This is gensim's ``KeyedVectors.intersect_word2vec_format``, which sets each copied word's
    lock factor too: ``lockf=1.0`` trains them on like the rest, ``0.0`` freezes them.
    """
    import numpy as np

    wv = model.wv
    if vectors.vector_size != wv.vector_size:
        raise ValueError(f"the vectors have {vectors.vector_size} dimensions, the model {wv.vector_size}")
    # one word per line of word2vec's text format: a word with white space in it cannot be written there
    shared = [word for word in wv.index_to_key
              if word in vectors.key_to_index and not any(character.isspace() for character in word)]
    # gensim sets a lock factor per copied word; after build_vocab the array has one element for all
    wv.vectors_lockf = np.ones(len(wv), dtype=np.float32)
    # gensim's binary reader needs NumPy's fromstring binary mode (gone since NumPy 2.3); its text
    # reader does not, and str() of a float32 reads back as the same float32
    with tempfile.TemporaryDirectory(prefix="zoo-word2vec-") as folder:
        path = Path(folder) / "shared.txt"
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(f"{len(shared)} {vectors.vector_size}\n")
            for word in shared:
                handle.write(f"{word} {' '.join(str(value) for value in vectors[word])}\n")
        with quiet_gensim():  # its log would name the temporary file
            wv.intersect_word2vec_format(str(path), lockf=lockf, binary=False)
    return len(shared)


def train(sentences, vector_size=64, window=10, epochs=5, min_count=10, sg=1, workers=4, seed=42,
          progress=True, start_vectors=None):
    """gensim ``Word2Vec`` with the book's settings: skip-gram, 64 dimensions, window 10.

    ``start_vectors`` (``KeyedVectors`` of ``vector_size`` dimensions, see :func:`load_vectors`):
    the words of the corpus's vocabulary they hold start from their vectors (:func:`take_over`),
    the others from random ones.

    Returns the model; ``model.zoo_stats`` holds the vocabulary size, the words trained and
    the words per second (and ``words_taken_over`` from ``start_vectors``).
    """
    from gensim.models import Word2Vec

    for argument, value in (("vector_size", vector_size), ("window", window), ("epochs", epochs),
                            ("min_count", min_count), ("workers", workers)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{argument}={value!r} is invalid: expected an integer >= 1")
    if sg not in (0, 1):
        raise ValueError(f"sg={sg!r} is invalid: expected 1 (skip-gram) or 0 (CBOW)")
    if start_vectors is not None and start_vectors.vector_size != vector_size:
        raise ValueError(f"start_vectors have {start_vectors.vector_size} dimensions, vector_size={vector_size}")
    sentences = [s for s in sentences if s]
    if not sentences:
        raise ValueError("the corpus is empty: expected sentences of word tokens")
    model = Word2Vec(vector_size=vector_size, window=window, min_count=min_count, sg=sg, workers=workers,
                     seed=seed)
    model.build_vocab(sentences)
    if not model.wv.index_to_key:
        raise ValueError(f"no word occurs min_count={min_count} times in this corpus of "
                         f"{sum(map(len, sentences))} tokens: lower min_count or give more text")
    taken_over = take_over(model, start_vectors) if start_vectors is not None else None
    started = time.perf_counter()
    trained, raw = model.train(sentences, total_examples=model.corpus_count, epochs=epochs,
                               callbacks=[_Progress(epochs, progress)])
    seconds = time.perf_counter() - started
    model.zoo_stats = {"vocabulary": len(model.wv), "corpus_tokens": model.corpus_total_words,
                       "words_trained": int(raw), "train_seconds": round(seconds, 3),
                       "words_per_second": round(raw / max(seconds, 1e-9), 1)}
    if taken_over is not None:
        model.zoo_stats["words_taken_over"] = taken_over
    return model


def queries(wv, most_similar=("father",), doesnt_match=("mother father sister brother dog",),
            similarity=(("father", "dog"),), analogies=((("father", "woman"), ("man",)),
                                                       (("husband", "woman"), ("man",))), topn=5) -> dict:
    """The book's queries of the word vectors. A query with a word missing from the vocabulary
    is answered ``{"missing": [words]}`` and logged in one line; the other queries go on, since a
    corpus of the user's own may lack the book's words."""

    def ask(kind, key, words, function, *arguments, **keywords):
        missing = [word for word in dict.fromkeys(words) if word not in wv.key_to_index]
        if missing:
            log.warning(f"{kind} {key!r}: {', '.join(map(repr, missing))} not in the vocabulary "
                        f"of {len(wv):,} words; skipped")
            return {"missing": missing}
        return function(*arguments, **keywords)

    def pairs(result):
        return [[word, round(float(score), 4)] for word, score in result] if isinstance(result, list) else result

    answers = {"most_similar": {}, "doesnt_match": {}, "similarity": {}, "analogy": {}}
    for word in most_similar:
        answers["most_similar"][word] = pairs(ask("most_similar", word, [word], wv.most_similar, word, topn=topn))
    for words in doesnt_match:
        answers["doesnt_match"][words] = ask("doesnt_match", words, words.split(), wv.doesnt_match, words.split())
    for first, second in similarity:
        key = f"{first} {second}"
        value = ask("similarity", key, [first, second], wv.similarity, first, second)
        answers["similarity"][key] = value if isinstance(value, dict) else round(float(value), 4)
    for positive, negative in analogies:
        key = " + ".join(positive) + "".join(f" - {w}" for w in negative)
        answers["analogy"][key] = pairs(ask("analogy", key, [*positive, *negative], wv.most_similar,
                                            positive=list(positive), negative=list(negative), topn=topn))
    return answers


def tsne(model_or_wv, max_tokens=None, perplexity=30.0, seed=42):
    """t-SNE (scikit-learn) of the word vectors to 2-D: a DataFrame with ``token, x, y``.

    The book embeds the whole vocabulary; ``max_tokens`` keeps only the most frequent ones.
    """
    import numpy as np
    import pandas as pd
    from sklearn.manifold import TSNE

    wv = getattr(model_or_wv, "wv", model_or_wv)
    tokens = list(wv.index_to_key if max_tokens is None else wv.index_to_key[:max_tokens])
    if len(tokens) < 3:
        raise ValueError(f"t-SNE needs at least 3 tokens; the vocabulary has {len(tokens)}")
    vectors = np.asarray([wv[t] for t in tokens], dtype=np.float32)
    perplexity = min(perplexity, (len(tokens) - 1) / 3)  # scikit-learn requires perplexity < samples
    # Barnes-Hut pays off only on large sets: on a few hundred words the exact gradient is faster (and exact)
    method = "exact" if len(tokens) <= 500 else "barnes_hut"
    coordinates = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed,
                       method=method).fit_transform(vectors)
    return pd.DataFrame({"token": tokens, "x": coordinates[:, 0], "y": coordinates[:, 1]})


MAP_STYLES = ("readable", "book")


def _write_text(path, text: str) -> Path:
    """Write under a temporary name and rename, so a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return path


def nearest_neighbours(coordinates, vectors=None, k=8):
    """For each row of ``coordinates``, the row numbers of its ``k`` nearest other words: by cosine
    similarity of their ``vectors`` (gensim ``KeyedVectors`` holding every token) when given, else
    by distance on the 2-D map."""
    import numpy as np

    tokens = list(coordinates.token)
    k = min(k, len(tokens) - 1)
    if k < 1:
        return [[] for _ in tokens]
    if vectors is not None:
        points = np.asarray([vectors[token] for token in tokens], dtype=np.float32)
        points /= np.maximum(np.linalg.norm(points, axis=1, keepdims=True), 1e-12)
    else:
        points = coordinates[["x", "y"]].to_numpy(dtype=np.float32)
    neighbours = []
    for first in range(0, len(points), 1024):  # blocks: the full matrix of 10,000 words would be 400 MB
        block = points[first:first + 1024]
        if vectors is not None:
            distance = -block @ points.T
        else:
            distance = ((block[:, None, :] - points[None, :, :]) ** 2).sum(axis=-1)
        distance[np.arange(len(block)), np.arange(first, first + len(block))] = np.inf  # not itself
        nearest = np.argpartition(distance, k - 1, axis=1)[:, :k]
        order = np.take_along_axis(distance, nearest, axis=1).argsort(axis=1)
        neighbours.extend(np.take_along_axis(nearest, order, axis=1).tolist())
    return neighbours


def spread_labels(coordinates, n_labels=300, size=800, font_px=11, candidates=3000) -> list[int]:
    """Row numbers of up to ``n_labels`` words, most frequent first (the rows' order), whose labels
    do not overlap on a ``size``-pixel map at its first zoom: each label's box is estimated from its
    length in characters and kept only when it clears every label kept before it."""
    x, y = coordinates.x.to_numpy(), coordinates.y.to_numpy()
    x_per_px = max(float(x.max() - x.min()), 1e-9) * 1.1 / size
    y_per_px = max(float(y.max() - y.min()), 1e-9) * 1.1 / size
    kept, boxes = [], []
    for row, token in enumerate(coordinates.token[:candidates]):
        half_width = len(str(token)) * 0.3 * font_px * x_per_px
        half_height = 0.6 * font_px * y_per_px
        box = (x[row] - half_width, x[row] + half_width, y[row] - half_height, y[row] + half_height)
        if all(box[1] < other[0] or other[1] < box[0] or box[3] < other[2] or other[3] < box[2] for other in boxes):
            kept.append(row)
            boxes.append(box)
            if len(kept) == n_labels:
                break
    return kept


# the search box's callback: zoom to the word and its neighbours, select them (highlighted) and label them
_SEARCH_JS = """
const tokens = points.data.token;
const row = tokens.indexOf(search.value.trim());
if (row < 0) {
    info.text = search.value ? `"${search.value}" is not on the map` : "";
    points.selected.indices = [];
    found.data = {x: [], y: [], token: []};
    return;
}
const rows = [row, ...neighbours[row]];
points.selected.indices = rows;
const xs = rows.map(r => points.data.x[r]), ys = rows.map(r => points.data.y[r]);
found.data = {x: xs, y: ys, token: rows.map(r => tokens[r])};
// centred on the word, wide enough for its nearer half of neighbours (one far one would zoom out to
// the whole map), never more than a quarter of the map
const reach = rows.slice(1).map(r => Math.max(Math.abs(points.data.x[r] - xs[0]), Math.abs(points.data.y[r] - ys[0])))
    .sort((a, b) => a - b);
const span = Math.min(Math.max(2.4 * (reach[Math.floor((reach.length - 1) / 2)] || 0), min_span), max_span);
x_range.setv({start: xs[0] - span / 2, end: xs[0] + span / 2});
y_range.setv({start: ys[0] - span / 2, end: ys[0] + span / 2});
info.text = `<b>${tokens[row]}</b>: ${neighbours[row].map(r => tokens[r]).join(", ")}`;
"""


def bokeh_map(coordinates, path, n_tokens=5000, seed=42, title="word2vec: t-SNE of word vectors",
              size=800, style="readable", vectors=None, n_labels=300, n_neighbours=8) -> Path:
    """The word map as one HTML file that opens with no network (BokehJS inlined).

    ``style="readable"``: every word of ``coordinates`` (rows in frequency order, as :func:`tsne`
    gives them) as a WebGL point, the word on hover, labels for up to ``n_labels`` frequent
    words placed so that they do not overlap, and a search box that zooms to a word and
    highlights it with its ``n_neighbours`` nearest words (by cosine similarity of ``vectors``
    when given, else on the map). ``style="book"``: the book's map, ``n_tokens`` sampled words
    drawn as text. Returns the path; the file is written under a temporary name and renamed.
    """
    if style not in MAP_STYLES:
        raise ValueError(f"style={style!r} is invalid: expected one of {', '.join(MAP_STYLES)}")
    from bokeh.embed import file_html
    from bokeh.resources import INLINE

    plot = _book_map(coordinates, n_tokens, seed, title, size) if style == "book" else _readable_map(
        coordinates, title, size, vectors, n_labels, n_neighbours)
    return _write_text(path, file_html(plot, INLINE, title))


def _book_map(coordinates, n_tokens, seed, title, size):
    from bokeh.models import ColumnDataSource, HoverTool
    from bokeh.plotting import figure

    sample = coordinates.sample(n=min(n_tokens, len(coordinates)), random_state=seed)
    plot = figure(width=size, height=size, title=title, tools="pan,wheel_zoom,box_zoom,reset,save")
    source = ColumnDataSource(sample)
    plot.text(x="x", y="y", text="token", source=source, text_font_size="8pt", text_alpha=0.8)
    plot.scatter(x="x", y="y", source=source, size=2, alpha=0.0)  # invisible targets for the hover tool
    plot.add_tools(HoverTool(tooltips=[("token", "@token")]))
    return plot


def _readable_map(coordinates, title, size, vectors, n_labels, n_neighbours):
    from bokeh.layouts import column
    from bokeh.models import AutocompleteInput, ColumnDataSource, CustomJS, Div, HoverTool, Range1d
    from bokeh.plotting import figure

    coordinates = coordinates.reset_index(drop=True)
    tokens = [str(token) for token in coordinates.token]
    x, y = coordinates.x.astype(float), coordinates.y.astype(float)
    margin = 0.05 * max(float(x.max() - x.min()), float(y.max() - y.min()), 1e-9)
    x_range = Range1d(float(x.min()) - margin, float(x.max()) + margin)
    y_range = Range1d(float(y.min()) - margin, float(y.max()) + margin)
    plot = figure(width=size, height=size, title=title, output_backend="webgl", x_range=x_range, y_range=y_range,
                  tools="pan,wheel_zoom,box_zoom,reset,save", active_scroll="wheel_zoom")
    points = ColumnDataSource({"x": x.tolist(), "y": y.tolist(), "token": tokens})
    dots = plot.scatter(x="x", y="y", source=points, size=4, color="steelblue", alpha=0.5,
                        selection_color="crimson", selection_alpha=1.0, nonselection_alpha=0.15)
    dots.selection_glyph.size = 9
    plot.add_tools(HoverTool(renderers=[dots], tooltips=[("word", "@token")]))
    labelled = spread_labels(coordinates, n_labels=n_labels, size=size)
    labels = ColumnDataSource({"x": [x[r] for r in labelled], "y": [y[r] for r in labelled],
                               "token": [tokens[r] for r in labelled]})
    plot.text(x="x", y="y", text="token", source=labels, text_font_size="11px", text_color="#333333",
              text_align="center", text_baseline="middle")
    found = ColumnDataSource({"x": [], "y": [], "token": []})
    plot.text(x="x", y="y", text="token", source=found, text_font_size="13px", text_font_style="bold",
              text_color="crimson", x_offset=6, text_baseline="middle")
    plot.xaxis.visible = plot.yaxis.visible = False
    plot.grid.visible = False
    neighbours = nearest_neighbours(coordinates, vectors, k=n_neighbours)
    extent = max(float(x.max() - x.min()), float(y.max() - y.min()), 1e-9)
    info = Div(text="", width=size)
    search = AutocompleteInput(title=f"Find a word ({len(tokens):,} on the map)", completions=sorted(tokens),
                               placeholder="e.g. father", min_characters=1, case_sensitive=False,
                               max_completions=20, width=300)
    search.js_on_change("value", CustomJS(
        args={"search": search, "points": points, "found": found, "neighbours": neighbours, "info": info,
              "x_range": x_range, "y_range": y_range,
              "min_span": 0.03 * extent, "max_span": 0.25 * extent}, code=_SEARCH_JS))
    return column(search, info, plot)


def projector_files(wv, folder, tensor_name="word2vec") -> dict:
    """The TensorBoard Embedding Projector's files for word vectors ``wv``: ``vectors.tsv`` (one
    vector a line), ``metadata.tsv`` (one word a line, in the same order) and the
    ``projector_config.pbtxt`` that names them, so ``tensorboard --logdir FOLDER`` shows them in 3-D.

    Returns the paths by name.
    """
    import io

    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vectors = io.StringIO()
    for word in wv.index_to_key:
        vectors.write("\t".join(f"{value:.7g}" for value in wv[word]) + "\n")  # float32's 7 digits
    # one column: no header line (the projector expects one only when there are several); tokens hold
    # no white space, and a word-vectors file cannot hold such a word either
    metadata = "".join(f"{word}\n" for word in wv.index_to_key)
    paths = {"vectors": _write_text(folder / "vectors.tsv", vectors.getvalue()),
             "metadata": _write_text(folder / "metadata.tsv", metadata)}
    config = ProjectorConfig()
    embedding = config.embeddings.add()
    embedding.tensor_name = tensor_name
    embedding.tensor_path = paths["vectors"].name  # relative to the log folder, so it can move
    embedding.metadata_path = paths["metadata"].name
    # the file tensorboard.plugins.projector.visualize_embeddings writes, without loading TensorFlow for it
    paths["config"] = _write_text(folder / "projector_config.pbtxt", text_format.MessageToString(config))
    return paths
