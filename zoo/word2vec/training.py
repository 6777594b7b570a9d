"""Word vectors for chapter 11: the book's corpus cleaning, gensim word2vec training, trained
vectors loaded from a name or a file, and the book's queries of them.

The book's preprocessing steps are options of :func:`clean_corpus`; stop words come from
NLTK when its ``stopwords`` data is installed, else from the copy of NLTK's English list
below (no download needed).
"""

from __future__ import annotations

import contextlib
import logging
import string
import tempfile
import time
from pathlib import Path

from zoo.errors import one_line

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
        raise ValueError(f"cannot read {path} as word vectors ({one_line(error)})"
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


def odd_one_out_problem(words) -> str | None:
    """What is wrong with the words of one --odd-one-out (typed apart, as any other words), or None."""
    if any(len(word.split()) > 1 for word in words):
        return (f"--odd-one-out takes its words apart, not in one quoted string: --odd-one-out "
                f"{' '.join(' '.join(words).split())}")
    if len(words) < 2:
        return "--odd-one-out needs two words or more"
    return None


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
