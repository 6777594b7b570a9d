"""``dli-zoo map``: trained word vectors as a map in one HTML file that opens with no network.

    dli-zoo map gutenberg --out words.html                    # every word of the bundled vectors
    dli-zoo map gutenberg --out top.html --map-words 2000 --seed 1
    dli-zoo map model_output/word2vec --out run.html --map-style book

The vectors are embedded in 2-D with scikit-learn's t-SNE (the book's: the whole vocabulary, or
the --map-words most frequent), then drawn with bokeh (zoo.word2vec.bokeh_map): every word a
point, labels for frequent words placed so they do not overlap, and a search box that zooms to a
word and its nearest neighbours by cosine similarity; --map-style book draws sampled words as
text. The map's flags are spelled as train_word2vec.py's. Needs no Keras backend.
"""

from __future__ import annotations

import logging

from zoo import cli
from zoo.commands import options
from zoo.errors import UsageError, one_line
from zoo.files import atomic_path

log = logging.getLogger("zoo")

MODELS = ("word2vec",)
SEED = 42  # t-SNE's, as the training script's map
PLOT_TOKENS = 5000  # words drawn as text on the book's map
MAP_LABELS = 300  # frequent words labelled on the readable map
# the map's flags are spelled as train_word2vec.py's: the old spellings are refused naming them
RENAMED = {"--words": "--map-words N (the N most frequent words t-SNE places)",
           "--style": "--map-style {readable,book}", "--labels": "--map-labels N (words labelled on the readable map)"}


def make_parser():
    from zoo.word2vec import MAP_STYLES, VECTOR_FILES_HELP

    made = options.parser("map", __doc__.strip().splitlines()[0], device=False)
    made.add_argument("source", metavar="MODEL/NAME|FILE|RUN_DIR",
                      help=f"the word vectors: a name (dli-zoo list), {VECTOR_FILES_HELP}, or a finished run's folder")
    made.add_argument("--out", required=True, metavar="FILE.html", help="the HTML file to write")
    made.add_argument("--map-words", type=cli.positive_int, default=None, metavar="N",
                      help="embed only the N most frequent words (default: the whole vocabulary, as the book)")
    made.add_argument("--map-style", choices=MAP_STYLES, default="readable",
                      help="readable: every word a point, searchable; book: the book's sampled words as text")
    made.add_argument("--map-labels", type=cli.positive_int, default=MAP_LABELS, metavar="N",
                      help="labelled words (--map-style readable)")
    made.add_argument("--plot-tokens", type=cli.positive_int, default=PLOT_TOKENS, metavar="N",
                      help="words drawn (--map-style book)")
    made.add_argument("--seed", type=cli.seed, default=SEED, help="t-SNE's (and the book style's sample)")
    made.add_argument("--overwrite", action="store_true", help="replace the --out file if it exists")
    for old, new in RENAMED.items():
        cli.renamed_flag(made, old, new)
    return made


def main(argv) -> None:
    args = cli.parse_args(make_parser(), argv, load_backend=False)  # gensim and scikit-learn: no backend
    out = options.new_output(args.out, "--out", args.overwrite, (".html", ".htm"))
    from zoo import word2vec

    source = options.source_of(args, MODELS, "map", endings=word2vec.VECTOR_FILE_ENDINGS)
    try:
        vectors, path = word2vec.load_vectors(source.weights)
    except ValueError as error:
        raise UsageError(f"{source.given}: {one_line(error)}") from None
    words = min(args.map_words or len(vectors), len(vectors))
    log.info(f"t-SNE of {words:,} of the {len(vectors):,} words of {source.label}")
    try:
        coordinates = word2vec.tsne(vectors, max_tokens=words, seed=args.seed)
    except ValueError as error:  # too few words to embed
        raise UsageError(f"{source.given}: {one_line(error)}") from None
    with atomic_path(out) as temporary:
        word2vec.bokeh_map(coordinates, temporary, n_tokens=args.plot_tokens, seed=args.seed, style=args.map_style,
                           vectors=vectors, n_labels=args.map_labels)
    log.info(f"wrote {out}")
    options.print_result({**source.record(), "vectors_file": str(path), "vocabulary": len(vectors),
                          "words_mapped": words, "style": args.map_style, "seed": args.seed, "html": str(out)})
