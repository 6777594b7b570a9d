"""``dli-zoo predict`` for the IMDb sentiment classifiers: raw reviews scored.

Each review is encoded as the model's training reviews were (``zoo.datasets.imdb.encode_reviews``:
Keras' IMDb word index, from --data-dir or the Keras cache, else the copy bundled with the
sample; the vocabulary, skipped words and length of the weights' card or the run's state.json
unless given); each gets a line with the probability that it is positive and its label, and the
RESULT line lists them all. Nothing is trained or written.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from zoo import cli, recipes, saving
from zoo.commands import options
from zoo.datasets import imdb
from zoo.datasets._validate import decode_text
from zoo.errors import UsageError, one_line

log = logging.getLogger("zoo")

# the zoo's sentiment classifiers (zoo.sentiment.MODELS' values; a test keeps the two equal)
MODELS = ("dense_sentiment", "conv_sentiment", "rnn_sentiment", "lstm_sentiment", "bilstm_sentiment",
          "stacked_bilstm_sentiment", "conv_lstm_sentiment", "gru_sentiment", "multi_convnet_sentiment")
ENCODING = ("n_unique_words", "n_words_to_skip", "max_review_length")  # the flags that set how text is encoded
POSITIVE_FROM = 0.5  # the probability from which a review is labelled positive, as the run's accuracy counts
SHOWN_CHARACTERS = 60  # of each review in the output lines and the RESULT


def add_flags(made) -> None:
    group = made.add_argument_group("reviews (the sentiment classifiers)")
    group.add_argument("--file", action="append", default=None, metavar="PATH",
                       help="score each line of PATH as one review (blank lines skipped; - reads standard input); "
                            "give it again for more files")
    own = " (default: the model's own, from its card or run)"
    group.add_argument("--n-unique-words", type=cli.positive_int, default=None,
                       help=f"words in the vocabulary, the rest are unknown (2){own}")
    group.add_argument("--n-words-to-skip", type=int, default=None,
                       help=f"the most frequent words, made unknown (2){own}")
    group.add_argument("--max-review-length", type=cli.positive_int, default=None,
                       help=f"words per review, padded and truncated at the start{own}")
    group.add_argument("--data-dir", default=None, help="the folder of Keras' imdb_word_index.json "
                                                        "(default: $ZOO_DATA_DIR, the Keras cache, the bundled copy)")


def reviews_to_score(texts, files) -> list[str]:
    """The reviews given as text, then each --file's lines; an empty one is one line."""
    reviews = []
    for text in texts:
        if not text.strip():
            raise UsageError("an empty review; give the review's text")
        reviews.append(text)
    for name in files or []:
        where = f"--file {name}"
        path = Path(name).expanduser()
        if name != "-" and not path.exists():
            raise UsageError(f"{where}: no such file")
        if name != "-" and not path.is_file():
            raise UsageError(f"{where} is not a file")
        try:
            raw = sys.stdin.buffer.read() if name == "-" else path.read_bytes()
        except OSError as error:
            raise UsageError(f"{where}: cannot read it ({error.strerror or error})") from None
        try:
            text = decode_text(raw, where)
        except ValueError as error:
            raise UsageError(one_line(error)) from None
        # "\n" only: a review may hold characters that str.splitlines() also breaks at (\x85, \x1c)
        reviews += [line.strip() for line in text.split("\n") if line.strip()]
    if not reviews:
        raise UsageError("no review to score: give its text, or --file PATH (- reads standard input)")
    return reviews


def shortened(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS - 3].rstrip() + "..."


def saved_model_shape(model, args, label: str) -> dict:
    """The review length and vocabulary a saved model reads; settings typed against them are one line."""
    import keras

    if len(model.inputs) != 1 or len(model.input_shape) != 2 or tuple(model.output_shape) != (None, 1):
        raise UsageError(f"{label} is not a review classifier: it takes {model.input_shape} and gives "
                         f"{model.output_shape}, expected (None, words) in and (None, 1) out")
    length = model.input_shape[1]
    embedding = next((layer for layer in model.layers if isinstance(layer, keras.layers.Embedding)), None)
    vocabulary = embedding.input_dim if embedding is not None else None
    if "max_review_length" in args.typed and length is not None and args.max_review_length != length:
        raise UsageError(f"--max-review-length {args.max_review_length}: {label} reads reviews of {length} "
                         f"words; leave --max-review-length out")
    if "n_unique_words" in args.typed and vocabulary is not None and args.n_unique_words > vocabulary:
        raise UsageError(f"--n-unique-words {args.n_unique_words}: {label} embeds only {vocabulary} words")
    return {"max_review_length": length, "n_unique_words": vocabulary}


def encoding_settings(args, trained: dict, own: dict, book: dict, whose: str) -> tuple[dict, dict]:
    """Each of ENCODING and where it came from: the command line, else the model's own (a saved
    model's input length and embedding), else the settings that trained it, else the book's."""
    settings, origins = {}, {}
    for key in ENCODING:
        if key in args.typed:
            settings[key], origins[key] = getattr(args, key), args.flags[key]
        elif own.get(key) is not None:
            settings[key], origins[key] = own[key], "the model's"
        elif isinstance(trained.get(key), int):
            settings[key], origins[key] = trained[key], whose
        else:
            settings[key], origins[key] = book[key], "the book's"
    if not 0 <= settings["n_words_to_skip"] < settings["n_unique_words"]:
        raise UsageError(f"n_words_to_skip {settings['n_words_to_skip']} ({origins['n_words_to_skip']}) must be "
                         f"in [0, n_unique_words {settings['n_unique_words']}) ({origins['n_unique_words']})")
    return settings, origins


def scoring_model(args, source):
    """The classifier of ``source`` and the settings that encode reviews for it."""
    import zoo

    book = recipes.get(source.model).data
    label = source.given
    if source.weights.endswith(".keras"):  # a saved model keeps its own architecture and input length
        try:
            model = saving.load_model(source.weights, compile=False)
        except Exception as error:  # a damaged or foreign file: Keras raises many kinds
            raise UsageError(f"{label}: cannot read {source.weights} ({one_line(error)})") from None
        own = saved_model_shape(model, args, label)
        settings, origins = encoding_settings(args, source.settings, own, book, source.whose)
    else:  # a name or a .weights.h5: the builder at the vocabulary and length it was trained with
        settings, origins = encoding_settings(args, source.settings, {}, book, source.whose)
        try:
            model = zoo.get(source.model)(n_unique_words=settings["n_unique_words"],
                                          max_review_length=settings["max_review_length"], weights=source.weights)
        except ValueError as error:  # its words name weights=...; the user typed the source
            raise UsageError(one_line(error).replace(f"weights={source.weights!r}", label, 1)) from None
    by_origin = {origin: [key for key in ENCODING if origins[key] == origin] for origin in origins.values()}
    described = "; ".join(", ".join(f"{key} {settings[key]}" for key in keys) + f" ({origin})"
                          for origin, keys in by_origin.items())
    if source.settings:
        log.info(f"encoding the reviews with {described}")
    else:
        log.warning(f"{label}: no card or state.json says how it was trained; encoding with {described}")
    return model, settings


def score(args, source, texts) -> dict:
    """Each review's probability of being positive, a line each; returns the RESULT."""
    reviews = reviews_to_score(texts, args.file)  # read first: a refusal costs no model
    index = imdb.word_index(data_dir=args.data_dir)
    options.start(args)
    model, settings = scoring_model(args, source)
    book = recipes.get(source.model).data  # padding and truncation: every notebook's 'pre'
    length = settings["max_review_length"]
    x = imdb.encode_reviews(reviews, length, index, num_words=settings["n_unique_words"],
                            skip_top=settings["n_words_to_skip"], padding=book["padding"],
                            truncating=book["truncating"])
    probabilities = model.predict(x, batch_size=128, verbose=0).ravel().astype(float)

    scored = []
    for number, (text, probability) in enumerate(zip(reviews, probabilities), start=1):
        words = len(imdb.encode(text, index, start=False))
        read = words if words < length else length  # 'pre' truncation keeps the ending, start marker cut first
        if words == 0:
            log.warning(f"review {number} holds no word of the IMDb word index: its score means nothing")
        elif read < words:
            log.info(f"review {number}: only its last {read} of {words} words were read (max_review_length {length})")
        label = "positive" if probability >= POSITIVE_FROM else "negative"
        scored.append({"review": shortened(text), "probability": round(float(probability), 6), "label": label,
                       "words": words, "words_read": read})
        if not args.quiet:
            print(f"{probability:.4f}  {label}  {shortened(text)}", flush=True)
    positive = sum(review["label"] == "positive" for review in scored)
    return {**source.record(), **settings, "padding": book["padding"], "truncating": book["truncating"],
            "positive_from": POSITIVE_FROM, "positive": positive, "negative": len(scored) - positive,
            "reviews": scored}
