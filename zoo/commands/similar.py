"""``dli-zoo similar``: questions to trained word vectors (gensim), the book's and your own.

    dli-zoo similar gutenberg father                          # its nearest words, by cosine similarity
    dli-zoo similar gutenberg --analogy husband man woman     # husband - man + woman: wife
    dli-zoo similar gutenberg --positive king woman --negative man
    dli-zoo similar gutenberg --odd-one-out mother father sister brother dog
    dli-zoo similar model_output/word2vec alice               # a finished run's word2vec.model

Vectors are a name (word2vec/gutenberg), a word2vec .bin (as .vectors.bin) or .txt/.vec file,
a gensim .model/.kv file (pickles: load only files you trust) or a run's folder. Needs no
Keras backend; writes nothing.
"""

from __future__ import annotations

import logging

from zoo import cli
from zoo.commands import options
from zoo.errors import UsageError, one_line

log = logging.getLogger("zoo")

MODELS = ("word2vec",)


def make_parser():
    from zoo.word2vec import VECTOR_FILES_HELP

    made = options.parser("similar", __doc__.strip().splitlines()[0], device=False)
    made.add_argument("source", metavar="MODEL/NAME|FILE|RUN_DIR",
                      help=f"the word vectors: a name (dli-zoo list), {VECTOR_FILES_HELP}, or a finished run's folder")
    made.add_argument("words", nargs="*", metavar="WORD", help="words whose nearest words to show")
    made.add_argument("--analogy", action="append", nargs=3, metavar=("A", "B", "C"),
                      help="the words nearest A - B + C (husband man woman: wife); give it again for more")
    made.add_argument("--positive", nargs="+", metavar="WORD", default=None,
                      help="the words nearest the sum of these (minus --negative's)")
    made.add_argument("--negative", nargs="+", metavar="WORD", default=None, help="subtracted, with --positive")
    made.add_argument("--odd-one-out", nargs="+", metavar="WORD", default=None,
                      help="which of these words fits least with the others")
    made.add_argument("--similarity", action="append", nargs=2, metavar=("WORD", "WORD"),
                      help="the cosine similarity of two words")
    made.add_argument("--topn", type=cli.positive_int, default=5, help="words per answer")
    return made


def check_words(vectors, words, label: str) -> None:
    """A word the vectors do not hold is one line, before any answer (a capitalised one is hinted)."""
    unknown = list(dict.fromkeys(word for word in words if word not in vectors.key_to_index))
    if not unknown:
        return
    hints = [f"{word.lower()!r}" for word in unknown if word != word.lower() and word.lower() in vectors.key_to_index]
    raise UsageError(f"{label}: {', '.join(map(repr, unknown))} {'is' if len(unknown) == 1 else 'are'} not in "
                     f"its vocabulary of {len(vectors):,} words" + (f" (try {', '.join(hints)})" if hints else ""))


def readable(answers: dict) -> list[str]:
    """One line per question: the words with their cosine similarities."""
    lines = []
    for kind, answered in answers.items():
        for question, answer in answered.items():
            if isinstance(answer, list):
                answer = ", ".join(f"{word} {score:.4f}" for word, score in answer)
            lines.append(f"{kind.replace('_', ' ')} {question}: {answer}")
    return lines


def main(argv) -> None:
    made = make_parser()
    args = cli.parse_args(made, argv, load_backend=False)  # gensim's vectors need no backend
    if args.negative and not args.positive:
        made.error("--negative goes with --positive: the words to add")
    from zoo import word2vec

    if args.odd_one_out is not None and word2vec.odd_one_out_problem(args.odd_one_out):
        made.error(word2vec.odd_one_out_problem(args.odd_one_out))
    if not (args.words or args.analogy or args.positive or args.odd_one_out or args.similarity):
        made.error("nothing asked: give a WORD, or --analogy, --positive, --odd-one-out or --similarity")

    source = options.source_of(args, MODELS, "similar", endings=word2vec.VECTOR_FILE_ENDINGS)
    try:
        vectors, path = word2vec.load_vectors(source.weights)
    except ValueError as error:
        raise UsageError(f"{source.given}: {one_line(error)}") from None
    asked = [*args.words, *(word for triple in args.analogy or [] for word in triple), *(args.positive or []),
             *(args.negative or []), *(args.odd_one_out or []), *(word for pair in args.similarity or [] for word in pair)]
    check_words(vectors, asked, source.given)
    analogies = [((a, c), (b,)) for a, b, c in args.analogy or []]
    if args.positive:
        analogies.append((tuple(args.positive), tuple(args.negative or ())))
    answers = word2vec.queries(vectors, most_similar=args.words, similarity=args.similarity or [],
                               doesnt_match=[" ".join(args.odd_one_out)] if args.odd_one_out else [],
                               analogies=analogies, topn=args.topn)
    answers["odd_one_out"] = answers.pop("doesnt_match")
    answers = {key: value for key, value in answers.items() if value}  # only what was asked
    if not args.quiet:
        print("\n".join(readable(answers)), flush=True)
    options.print_result({**source.record(), "vectors_file": str(path), "vocabulary": len(vectors),
                          "answers": answers})
