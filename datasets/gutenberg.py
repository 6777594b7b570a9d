"""Project Gutenberg books as sentences of word tokens, the word2vec corpus of chapter 11.

    from zoo.datasets import gutenberg
    sentences = gutenberg.load_sentences()        # [["Emma", "Woodhouse", ",", ...], ...]

The book uses the 18 public-domain texts NLTK ships as ``nltk.corpus.gutenberg`` and its
``sents()``: Punkt sentence splitting, then NLTK's WordPunct tokens (``\\w+|[^\\w\\s]+``).
Where the text comes from:

1. ``--data-dir``/``ZOO_DATA_DIR`` (also its ``gutenberg/`` subfolder): any folder of plain
   text files (``*.txt``, or ``*.txt.gz``), for example a copy of NLTK's corpus or your own;
2. NLTK's ``corpora/gutenberg`` when the NLTK data is installed (or, unless
   ``ZOO_OFFLINE=1``, downloadable with ``nltk.download("gutenberg")``);
3. with ``source="auto"``: the bundled sample, 8 of those 18 books (about 840,000 tokens).

Sentences are split with NLTK's Punkt model when its data (``punkt_tab``) is installed, and
otherwise with a regular expression that needs no download; the module says so once.

Every file read must be text: one that is not UTF-8 (NLTK's own corpus folder may also be
Latin-1, as NLTK reads it), holds NUL bytes, is mostly control characters, or is empty or
only whitespace is an error naming it, never skipped, so a stray binary or a failed copy is
found before word2vec trains on it.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import logging
import re
import zlib
from pathlib import Path

from zoo.datasets._sources import (
    DataInfo,
    DataSourceError,
    announce,
    check_source,
    offline,
    read_error,
    resolve_data_dir,
    sample_path,
)
from zoo.datasets._validate import decode_text

NAME = "gutenberg"
SAMPLE = "gutenberg"  # a folder of gzipped texts in samples/
SUFFIXES = (".txt", ".txt.gz")

log = logging.getLogger("zoo.datasets")

# NLTK's WordPunct tokenizer, the tokens of gutenberg.words() and gutenberg.sents().
_WORD_PUNCT = re.compile(r"\w+|[^\w\s]+")
# A sentence ends at . ! or ? (with any closing quotes or brackets) before the next capital,
# quote or digit; a blank line always ends one. Cruder than Punkt (it splits after "Mr."),
# which only makes a few sentences shorter for word2vec's context windows.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n")

_NOTED: set[str] = set()


def _note_once(key: str, message: str) -> None:
    if key not in _NOTED:
        _NOTED.add(key)
        announce(message)


def punkt_available() -> bool:
    try:
        import nltk

        nltk.data.find("tokenizers/punkt_tab/english/")
        return True
    except (ImportError, LookupError, OSError):
        return False


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: NLTK's Punkt when its data is installed, else a regex fallback."""
    if punkt_available():
        import nltk

        return nltk.sent_tokenize(text)
    _note_once("punkt", "NLTK's punkt_tab data is not installed: splitting sentences with a regular "
                        "expression instead (python -m nltk.downloader punkt_tab for the book's splitter)")
    return [part for part in _SENTENCE_END.split(text) if part and part.strip()]


def word_tokenize(sentence: str) -> list[str]:
    """NLTK's WordPunct tokens (a pure regex, so no NLTK data is needed)."""
    return _WORD_PUNCT.findall(sentence)


def sentences_of(text: str) -> list[list[str]]:
    """``text`` as sentences of word tokens, like ``gutenberg.sents()``."""
    return [tokens for tokens in (word_tokenize(s) for s in split_sentences(text)) if tokens]


def _text_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(SUFFIXES))


def _read_text(path: Path) -> str:
    """The text of one book, or one line naming the file when it is not a text file."""
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                raw = handle.read()
        else:
            raw = path.read_bytes()
    except (OSError, EOFError, zlib.error) as error:  # BadGzipFile is an OSError
        raise read_error(path, error) from None
    # UTF-8, else Latin-1 as NLTK reads its Gutenberg corpus (some of its books are Latin-1);
    # binary files still fail the control-character check
    return decode_text(raw, str(path), ("utf-8", "latin-1"))


def _nltk_corpus() -> Path | None:
    """NLTK's Gutenberg folder, downloading it when allowed and possible."""
    try:
        import nltk
    except ImportError:
        return None
    for attempt in range(2):
        try:
            found = Path(str(nltk.data.find("corpora/gutenberg")))
            if found.is_dir():
                return found
            if found.suffix == ".zip":  # find() points at the zip when it is not unpacked
                import zipfile

                with zipfile.ZipFile(found) as archive:
                    archive.extractall(found.parent)
                return found.with_suffix("")
        except (LookupError, OSError):
            pass
        if attempt == 0:
            if offline():
                return None
            try:
                with contextlib.redirect_stdout(io.StringIO()):  # NLTK prints its progress and errors
                    downloaded = nltk.download("gutenberg", quiet=True, raise_on_error=True,
                                               print_error_to=io.StringIO())
                if not downloaded:
                    return None
            except Exception:  # no network, proxy errors, ...: fall through to the sample
                return None
    return None


def corpus_folder(source: str = "auto", data_dir=None) -> tuple[str, Path]:
    """``("full", folder)`` or ``("sample", folder)`` holding the corpus' text files."""
    check_source(source)
    if source == "sample":
        return "sample", sample_path(SAMPLE)
    folder = resolve_data_dir(data_dir)
    if folder is not None:
        for candidate in (folder, folder / "gutenberg"):
            if candidate.is_dir() and _text_files(candidate):
                return "full", candidate
    nltk_folder = _nltk_corpus()
    if nltk_folder is not None and _text_files(nltk_folder):
        return "full", nltk_folder
    where = f"in {folder}" if folder else "with --data-dir/ZOO_DATA_DIR"
    if source == "full":
        raise DataSourceError(f"no Gutenberg text files found: put *.txt files {where} "
                              f"or install NLTK's corpus (python -m nltk.downloader gutenberg)")
    announce("gutenberg: NLTK's corpus is not installed, using the bundled sample of 8 books")
    return "sample", sample_path(SAMPLE)


def fileids(source: str = "auto", data_dir=None) -> list[str]:
    """The book names available (file names without ``.txt``/``.txt.gz``)."""
    _, folder = corpus_folder(source, data_dir)
    return [_fileid(p) for p in _text_files(folder)]


def _fileid(path: Path) -> str:
    return re.sub(r"\.txt(\.gz)?$", "", path.name)


def load_sentences(source: str = "auto", data_dir=None, books=None, max_sentences=None):
    """Every sentence of the corpus as a list of word tokens, and a :class:`DataInfo`.

    Args:
        source: "auto", "full" or "sample" (see the module docstring).
        data_dir: a folder of plain-text files (else ``ZOO_DATA_DIR``).
        books: None for all, or file ids such as ``["austen-emma", "carroll-alice"]``.
        max_sentences: keep only the first sentences (quick runs and tests).

    Returns ``(sentences, info)``.
    """
    if max_sentences is not None and (isinstance(max_sentences, bool) or not isinstance(max_sentences, int)
                                      or max_sentences < 1):
        raise ValueError(f"max_sentences={max_sentences!r} is invalid: expected None or an integer >= 1")
    kind, folder = corpus_folder(source, data_dir)
    files = _text_files(folder)
    if books is not None:
        by_id = {_fileid(p): p for p in files}
        unknown = [b for b in books if b not in by_id]
        if unknown:
            raise ValueError(f"books={unknown!r} are not in {folder}: expected some of {sorted(by_id)}")
        files = [by_id[b] for b in books]
    sentences, read = [], []
    for path in files:
        read.append(path)
        sentences.extend(sentences_of(_read_text(path)))
        if max_sentences is not None and len(sentences) >= max_sentences:
            sentences = sentences[:max_sentences]
            break
    if not sentences:
        raise DataSourceError(f"the corpus in {folder} holds no words")
    info = DataInfo(NAME, kind, str(folder), len(sentences), 0,
                    {"books": [_fileid(p) for p in read], "tokens": sum(map(len, sentences)),
                     "sentence_splitter": "punkt" if punkt_available() else "regex"})
    return sentences, info
