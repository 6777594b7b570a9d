"""Train one of the book's nine IMDb sentiment classifiers and judge it by ROC AUC (chapter 11).

    python scripts/train_sentiment.py --arch conv                 # the book's ConvNet, 4 epochs
    python scripts/train_sentiment.py --arch multiconv --epochs 1 # runs offline on the sample
    python scripts/train_sentiment.py --arch lstm --data-dir ~/data/imdb   # imdb.npz or aclImdb
    python scripts/train_sentiment.py --arch conv --weights imdb  # train on from the trained weights

Architectures: dense, conv, rnn, lstm, bilstm, stacked_bilstm, conv_lstm, gru, multiconv.
As in the book's notebooks, the epoch with the lowest validation loss is reloaded and its
predictions on the validation reviews are scored with scikit-learn's ROC AUC. Besides the
harness' artifacts the run writes roc_curve.png, probabilities.png (the histogram of
predicted probabilities) and misclassified.txt (the most confidently wrong reviews, decoded).

Trained classifiers score reviews with `dli-zoo predict conv_sentiment/imdb "A wonderful film."`
(or a run's folder, --file PATH) instead.
"""

import logging

import numpy as np

from zoo import cli, recipes  # Keras and the backend load in main(), once the arguments are good
from zoo.datasets import imdb
from zoo.files import atomic_path

# --arch -> the model's name in the zoo (zoo.sentiment.MODELS, which imports Keras; a test keeps
# the two equal); each notebook's settings: recipes.get(model).data
MODELS = {"dense": "dense_sentiment", "conv": "conv_sentiment", "rnn": "rnn_sentiment", "lstm": "lstm_sentiment",
          "bilstm": "bilstm_sentiment", "stacked_bilstm": "stacked_bilstm_sentiment",
          "conv_lstm": "conv_lstm_sentiment", "gru": "gru_sentiment", "multiconv": "multi_convnet_sentiment"}

DATA_SEED = 113  # Keras' IMDb shuffle
ENCODING = ("n_unique_words", "n_words_to_skip", "max_review_length")  # the flags that set how text is encoded
PREDICT_COMMAND = ('scoring reviews with a trained classifier is `dli-zoo predict MODEL/NAME|FILE|RUN_DIR "TEXT" ...` '
                   '(--file PATH; - reads standard input)')

log = logging.getLogger("zoo")


def make_parser():
    parser = cli.make_parser("dense_sentiment", __doc__, book_defaults_by="--arch")
    parser.add_argument("--arch", choices=list(MODELS), default="dense", help="which classifier")
    cli.output_dir_follows(parser, "--arch", MODELS)  # each classifier's runs in a folder of their own
    hyper = parser.add_argument_group("vector-space embedding (defaults: the book's, for --arch)")
    book = {arch: recipes.get(model).data for arch, model in MODELS.items()}

    def defaults(key):
        return ", ".join(f"{book[arch][key]} for {arch}" for arch in MODELS)

    hyper.add_argument("--n-unique-words", type=cli.positive_int, default=None,
                       help=f"words in the vocabulary, the rest are unknown (2) (default: {defaults('n_unique_words')})")
    hyper.add_argument("--n-words-to-skip", type=int, default=None,
                       help=f"the most frequent words, made unknown (2) (default: {defaults('n_words_to_skip')})")
    hyper.add_argument("--max-review-length", type=cli.positive_int, default=None,
                       help=f"words per review, padded and truncated at the start (default: "
                            f"{defaults('max_review_length')})")
    parser.add_argument("--max-examples", type=cli.positive_int, default=None,
                        help="use only this many reviews of each split (quick runs)")
    parser.add_argument("--report", type=cli.positive_int, default=10, help="confidently wrong reviews to write out")
    parser.allow_on_resume("report")  # what the report shows, not what was trained
    cli.moved_flags(parser, ("--predict", "--predict-file", "--from"), PREDICT_COMMAND)
    return parser


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
    model_name = MODELS[args.arch]
    recipe = recipes.get(model_name)
    for key in ("epochs", "batch_size", *ENCODING):  # --arch's book settings, resolved before the run records them
        if getattr(args, key) is None:
            setattr(args, key, recipe.data[key] if key in recipe.data else getattr(recipe, key))
    if not 0 <= args.n_words_to_skip < args.n_unique_words:
        raise cli.UsageError(f"--n-words-to-skip {args.n_words_to_skip} must be in [0, --n-unique-words)")
    cli.start_backend(args)

    from sklearn.metrics import roc_auc_score

    from zoo import plots, runtime, training

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
    # every process's share of the reviews, where several share each batch (JAX's multiworker)
    x_valid, y_valid, y_hat = (runtime.all_processes(values) for values in (x_valid, y_valid, y_hat))
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
