"""Train one of the book's nine IMDb sentiment classifiers and judge it by ROC AUC (chapter 11).

    python scripts/train_sentiment.py --arch conv                 # the book's ConvNet, 4 epochs
    python scripts/train_sentiment.py --arch multiconv --epochs 1 # runs offline on the sample
    python scripts/train_sentiment.py --arch lstm --data-dir ~/data/imdb   # imdb.npz or aclImdb
    python scripts/train_sentiment.py --arch conv --from imdb --predict "A wonderful film."   # score text
    python scripts/train_sentiment.py --from model_output/conv_sentiment --predict-file reviews.txt
    python scripts/train_sentiment.py --arch conv --weights imdb  # train on from the trained weights

Architectures: dense, conv, rnn, lstm, bilstm, stacked_bilstm, conv_lstm, gru, multiconv.
As in the book's notebooks, the epoch with the lowest validation loss is reloaded and its
predictions on the validation reviews are scored with scikit-learn's ROC AUC. Besides the
harness' artifacts the run writes roc_curve.png, probabilities.png (the histogram of
predicted probabilities) and misclassified.txt (the most confidently wrong reviews, decoded).

--predict TEXT (again for more reviews) and --predict-file PATH (one review a line, blank
lines skipped; - reads standard input) score raw reviews with the classifier of --from
NAME|PATH|RUN_DIR (trained weights, or a finished run's model.keras) and stop: nothing is
trained or written. Each
review is encoded as the model's training reviews were (zoo.datasets.imdb.encode_reviews:
Keras' IMDb word index, from --data-dir or the Keras cache, else the copy bundled with the
sample; the vocabulary, skipped words and length of the weights' card or the run's
state.json unless given); each gets a line with the probability that it is positive and
its label, and a RESULT line lists them all.
"""

import json
import logging
import sys
from pathlib import Path

import numpy as np

from zoo import cli, recipes  # Keras and the backend load in main(), once the arguments are good
from zoo.datasets import imdb
from zoo.datasets._validate import decode_text
from zoo.files import atomic_path

# --arch -> the model's name in the zoo (zoo.sentiment.MODELS, which imports Keras; a test keeps
# the two equal); each notebook's settings: recipes.get(model).data
MODELS = {"dense": "dense_sentiment", "conv": "conv_sentiment", "rnn": "rnn_sentiment", "lstm": "lstm_sentiment",
          "bilstm": "bilstm_sentiment", "stacked_bilstm": "stacked_bilstm_sentiment",
          "conv_lstm": "conv_lstm_sentiment", "gru": "gru_sentiment", "multiconv": "multi_convnet_sentiment"}

DATA_SEED = 113  # Keras' IMDb shuffle
ENCODING = ("n_unique_words", "n_words_to_skip", "max_review_length")  # the flags that set how text is encoded
# the flags scoring reviews takes; any other is a training run's
SCORING_FLAGS = {"predict", "predict_file", "trained", "arch", *ENCODING, "data_dir", "batch_size", "device", "quiet",
                 "verbose"}
RUN_MODEL_FILE = "model.keras"  # what --from reads in a finished run's folder
POSITIVE_FROM = 0.5  # the probability from which a review is labelled positive, as the run's accuracy counts
SHOWN_CHARACTERS = 60  # of each review in the output lines and the RESULT

log = logging.getLogger("zoo")


def make_parser():
    parser = cli.make_parser("dense_sentiment", __doc__, book_defaults_by="--arch")
    parser.add_argument("--arch", choices=list(MODELS), default="dense", help="which classifier")
    cli.output_dir_follows(parser, "--arch", MODELS)  # each classifier's runs in a folder of their own
    hyper = parser.add_argument_group("vector-space embedding (defaults: the book's, for --arch)")
    book = {arch: recipes.get(model).data for arch, model in MODELS.items()}

    def defaults(key):
        return ", ".join(f"{book[arch][key]} for {arch}" for arch in MODELS)

    weights_own = "; to score reviews, the model's own unless given"
    hyper.add_argument("--n-unique-words", type=cli.positive_int, default=None,
                       help=f"words in the vocabulary, the rest are unknown (2) (default: {defaults('n_unique_words')})"
                            f"{weights_own}")
    hyper.add_argument("--n-words-to-skip", type=int, default=None,
                       help=f"the most frequent words, made unknown (2) (default: {defaults('n_words_to_skip')})"
                            f"{weights_own}")
    hyper.add_argument("--max-review-length", type=cli.positive_int, default=None,
                       help=f"words per review, padded and truncated at the start (default: "
                            f"{defaults('max_review_length')}){weights_own}")
    parser.add_argument("--max-examples", type=cli.positive_int, default=None,
                        help="use only this many reviews of each split (quick runs)")
    parser.add_argument("--report", type=cli.positive_int, default=10, help="confidently wrong reviews to write out")
    parser.allow_on_resume("report")  # what the report shows, not what was trained
    scoring = parser.add_argument_group("scoring reviews (trains nothing, writes nothing)")
    scoring.add_argument("--predict", action="append", default=None, metavar="TEXT",
                         help="score this review with --from, then stop; give it again for more")
    scoring.add_argument("--predict-file", default=None, metavar="PATH",
                         help="score each line of PATH as one review (blank lines skipped; - reads standard input)")
    cli.add_from_flag(scoring, "score reviews with", RUN_MODEL_FILE)
    return parser


# ----------------------------------------------------------------------------- scoring reviews

def reviews_to_score(args) -> list[str]:
    """--predict's reviews, then --predict-file's (one a line); an empty one is one line."""
    reviews = []
    for text in args.predict or []:
        if not text.strip():
            raise cli.UsageError("--predict: an empty review; give the review's text")
        reviews.append(text)
    if args.predict_file is not None:
        where = f"--predict-file {args.predict_file}"
        path = Path(args.predict_file).expanduser()
        if args.predict_file != "-" and not path.exists():
            raise cli.UsageError(f"{where}: no such file")
        if args.predict_file != "-" and not path.is_file():
            raise cli.UsageError(f"{where} is not a file")
        try:
            raw = sys.stdin.buffer.read() if args.predict_file == "-" else path.read_bytes()
        except OSError as error:
            raise cli.UsageError(f"{where}: cannot read it ({error.strerror or error})") from None
        try:
            text = decode_text(raw, where)
        except ValueError as error:
            raise cli.UsageError(cli.one_line(error)) from None
        # "\n" only: a review may hold characters that str.splitlines() also breaks at (\x85, \x1c)
        reviews += [line.strip() for line in text.split("\n") if line.strip()]
    return reviews


def shortened(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS - 3].rstrip() + "..."


def trained_with(args, typed, label: str, weights) -> tuple[str, dict]:
    """The arch and the settings that trained ``weights`` (a name's card, or a run's state.json);
    an --arch typed against the run's own is one line."""
    from zoo import pretrained

    try:
        trained = pretrained.trained_settings(MODELS[args.arch], weights)
    except ValueError as error:
        raise cli.UsageError(f"{label}: {cli.one_line(error)}") from None
    arch = args.arch
    if trained.get("arch") in MODELS and trained["arch"] != arch:
        if "arch" in typed:
            raise cli.UsageError(f"{label} holds a classifier trained with --arch {trained['arch']}, not {arch}: "
                                 f"leave --arch out")
        arch = trained["arch"]
    return arch, trained


def saved_model_shape(model, args, typed, label: str, path: Path) -> dict:
    """The review length and vocabulary a saved model reads; settings typed against them are one line."""
    import keras

    if len(model.inputs) != 1 or len(model.input_shape) != 2 or tuple(model.output_shape) != (None, 1):
        raise cli.UsageError(f"{label}: {path} is not a review classifier: it takes {model.input_shape} and gives "
                             f"{model.output_shape}, expected (None, words) in and (None, 1) out")
    length = model.input_shape[1]
    embedding = next((layer for layer in model.layers if isinstance(layer, keras.layers.Embedding)), None)
    vocabulary = embedding.input_dim if embedding is not None else None
    if "max_review_length" in typed and length is not None and args.max_review_length != length:
        raise cli.UsageError(f"--max-review-length {args.max_review_length}: {label} reads reviews of {length} "
                             f"words; leave --max-review-length out")
    if "n_unique_words" in typed and vocabulary is not None and args.n_unique_words > vocabulary:
        raise cli.UsageError(f"--n-unique-words {args.n_unique_words}: {label} embeds only {vocabulary} words")
    return {"max_review_length": length, "n_unique_words": vocabulary}


def encoding_settings(args, typed, trained: dict, own: dict, book: dict, whose: str) -> tuple[dict, dict]:
    """Each of ENCODING and where it came from: the command line, else the model's own (a saved
    model's input length and embedding), else the settings that trained it, else the book's."""
    settings, origins = {}, {}
    for key in ENCODING:
        if key in typed:
            settings[key], origins[key] = getattr(args, key), args.flags[key]
        elif own.get(key) is not None:
            settings[key], origins[key] = own[key], "the model's"
        elif isinstance(trained.get(key), int):
            settings[key], origins[key] = trained[key], whose
        else:
            settings[key], origins[key] = book[key], "the book's"
    if not 0 <= settings["n_words_to_skip"] < settings["n_unique_words"]:
        raise cli.UsageError(f"n_words_to_skip {settings['n_words_to_skip']} ({origins['n_words_to_skip']}) must be "
                             f"in [0, n_unique_words {settings['n_unique_words']}) ({origins['n_unique_words']})")
    return settings, origins


def scoring_model(args, typed):
    """The classifier of --from, its arch, the settings that encode reviews for it, and what the
    RESULT says of it."""
    import keras

    import zoo
    from zoo import runtime
    from zoo import pretrained

    source = cli.trained_file(args.trained, RUN_MODEL_FILE)
    label, path = f"--from {args.trained}", Path(source)
    record = {"from": args.trained, ("model_file" if Path(args.trained).is_dir() else "weights"): source}
    arch, trained = trained_with(args, typed, label, source)
    named = pretrained.is_weights_name(source)
    whose = f"the {source} card" if named else str(path.parent / "state.json")
    book = recipes.get(MODELS[arch]).data
    rt = runtime.configure(args.device, "default", "float32", None, quiet=True)  # said below, once it is of use
    with rt.scope():
        if path.name.endswith(".keras"):  # a saved model keeps its own architecture and input length
            try:
                model = keras.models.load_model(path, compile=False)
            except Exception as error:  # a damaged or foreign file: Keras raises many kinds
                raise cli.UsageError(f"{label}: cannot read {path} ({cli.one_line(error)})") from None
            own = saved_model_shape(model, args, typed, label, path)
            settings, origins = encoding_settings(args, typed, trained, own, book, whose)
        else:  # a name or a .weights.h5: the arch's builder at the vocabulary and length it was trained with
            settings, origins = encoding_settings(args, typed, trained, {}, book, whose)
            try:
                model = zoo.get(MODELS[arch])(n_unique_words=settings["n_unique_words"],
                                              max_review_length=settings["max_review_length"], weights=source)
            except ValueError as error:  # its words name weights=...; the user typed --from
                raise cli.UsageError(cli.one_line(error).replace(f"weights={source!r}", label, 1)) from None
    by_origin = {origin: [key for key in ENCODING if origins[key] == origin] for origin in origins.values()}
    described = "; ".join(", ".join(f"{key} {settings[key]}" for key in keys) + f" ({origin})"
                          for origin, keys in by_origin.items())
    log.info(rt.describe())
    if trained:
        log.info(f"encoding the reviews with {described}")
    else:
        log.warning(f"{label}: no card or state.json says how it was trained; encoding with {described}")
    return model, arch, settings, {"model": MODELS[arch], "arch": arch, **record}


def check_scoring_flags(parser, args) -> None:
    """--predict/--predict-file take --from and the flags that say how to encode and score; any
    other flag is a training run's (refused in one line, before any backend loads)."""
    flag = "--predict" if args.predict is not None else "--predict-file"
    cli.refuse_weights_for(parser, args, flag)
    parser.refuse_typed(args, SCORING_FLAGS, f"{flag} trains nothing")
    if args.trained is None:
        parser.error(f"{flag} needs --from {cli.FROM_METAVAR}: a classifier's weights name or file, "
                     f"or a finished run's folder")


def score(args) -> None:
    """--predict/--predict-file: each review's probability of being positive, a line each and a
    RESULT line; nothing is trained or written."""
    typed = args.typed
    reviews = reviews_to_score(args)  # read first: a refusal costs no model
    index = imdb.word_index(data_dir=args.data_dir)
    model, arch, settings, result = scoring_model(args, typed)
    book = recipes.get(MODELS[arch]).data  # padding and truncation: every notebook's 'pre'
    length = settings["max_review_length"]
    x = imdb.encode_reviews(reviews, length, index, num_words=settings["n_unique_words"],
                            skip_top=settings["n_words_to_skip"], padding=book["padding"],
                            truncating=book["truncating"])
    probabilities = model.predict(x, batch_size=args.batch_size or 128, verbose=0).ravel().astype(float)

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
    result.update(settings, padding=book["padding"], truncating=book["truncating"],
                  positive_from=POSITIVE_FROM, positive=positive, negative=len(scored) - positive, reviews=scored)
    print("RESULT " + json.dumps(result), flush=True)


def misclassified_report(path, x_valid, y_valid, y_hat, index, count):
    """The reviews the model was surest about and got wrong, decoded as the book reads them."""
    wrong = np.flatnonzero((y_hat >= 0.5) != (y_valid == 1))
    worst = wrong[np.argsort(-np.abs(y_hat[wrong] - 0.5))][:count]
    lines = [f"{len(wrong)} of {len(y_valid)} validation reviews misclassified; the {len(worst)} most confident:\n"]
    for i in worst:
        truth = "positive" if y_valid[i] == 1 else "negative"
        lines.append(f"review {i}: predicted {y_hat[i]:.4f} positive, truly {truth}\n  {imdb.decode(x_valid[i], index)}\n")
    with atomic_path(path) as temporary:
        temporary.write_text("\n".join(lines), encoding="utf-8")
    return path


def main():
    parser = make_parser()
    args = cli.parse_args(parser, load_backend=False)  # the flags checked first: a refusal is instant
    if args.predict is not None or args.predict_file is not None:
        check_scoring_flags(parser, args)
        cli.start_backend(args)
        return score(args)
    if args.trained:
        parser.error("--from is for --predict or --predict-file; a training run starts from --weights")
    for dest in ("predict", "predict_file", "trained"):  # no part of what a training run is
        delattr(args, dest)
    model_name = MODELS[args.arch]
    recipe = recipes.get(model_name)
    for key in ("epochs", "batch_size", *ENCODING):  # --arch's book settings, resolved before the run records them
        if getattr(args, key) is None:
            setattr(args, key, recipe.data[key] if key in recipe.data else getattr(recipe, key))
    if not 0 <= args.n_words_to_skip < args.n_unique_words:
        raise cli.UsageError(f"--n-words-to-skip {args.n_words_to_skip} must be in [0, --n-unique-words)")
    cli.start_backend(args)

    from sklearn.metrics import roc_auc_score

    from zoo import plots, training

    run = training.Run(args, model_name)

    # data: reviews as word indices, padded and truncated at the start
    train, valid = run.data(imdb.load(
        batch_size=run.global_batch_size, num_words=args.n_unique_words, skip_top=args.n_words_to_skip,
        max_review_length=args.max_review_length, padding=recipe.data["padding"],
        truncating=recipe.data["truncating"], source=args.data, data_dir=args.data_dir, seed=DATA_SEED, max_examples=args.max_examples))
    index = imdb.word_index(data_dir=args.data_dir)  # read now: the report after training decodes with it

    # model: the notebook's architecture; binary cross-entropy and Adam
    model = run.build_or_resume(lambda: recipe.build_compiled(
        n_unique_words=args.n_unique_words, max_review_length=args.max_review_length))
    history = run.fit(model, train, valid)

    # evaluate as the book does: reload the best epoch, ROC AUC of the validation predictions
    model = run.best_model() or model
    best_epoch = int(np.argmin(history["val_loss"])) + 1 if history.get("val_loss") else None
    x_valid = np.concatenate([x for x, _ in valid.as_numpy_iterator()])
    y_valid = np.concatenate([y for _, y in valid.as_numpy_iterator()]).astype(int)
    y_hat = model.predict(valid, verbose=0).ravel().astype(float)
    roc_auc = float(roc_auc_score(y_valid, y_hat))
    accuracy = float(np.mean((y_hat >= 0.5) == (y_valid == 1)))

    title = f"{model_name} (epoch {best_epoch})"
    plots.save(plots.roc_curve(y_valid, y_hat, title=title), run.path("roc_curve.png"))
    plots.save(plots.probability_histogram(y_hat, y_valid, title=title), run.path("probabilities.png"))
    report = misclassified_report(run.path("misclassified.txt"), x_valid, y_valid, y_hat,
                                  index, args.report)

    run.finish(model, {
        "arch": args.arch,
        "roc_auc": round(roc_auc, 6),
        "best_epoch": best_epoch,
        "best_epoch_val_accuracy": round(accuracy, 6),
        "hyperparameters": {"n_unique_words": args.n_unique_words, "n_words_to_skip": args.n_words_to_skip,
                            "max_review_length": args.max_review_length, "pad_type": recipe.data["padding"],
                            "trunc_type": recipe.data["truncating"]},
        "params": model.count_params(),
        "misclassified_report": str(report),
    })


if __name__ == "__main__":
    cli.main(main)
