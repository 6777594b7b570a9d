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

import dataclasses
import logging
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from zoo import cli, config, recipes  # Keras and the backend load in main(), once the arguments are good
from zoo.datasets import imdb
from zoo.files import atomic_path

# --arch -> the model's name in the zoo (zoo.sentiment.MODELS, which imports Keras; a test keeps
# the two equal); each notebook's settings: recipes.get(model).data
MODELS = {"dense": "dense_sentiment", "conv": "conv_sentiment", "rnn": "rnn_sentiment", "lstm": "lstm_sentiment",
          "bilstm": "bilstm_sentiment", "stacked_bilstm": "stacked_bilstm_sentiment",
          "conv_lstm": "conv_lstm_sentiment", "gru": "gru_sentiment", "multiconv": "multi_convnet_sentiment"}
BOOK = {arch: recipes.get(model) for arch, model in MODELS.items()}

DATA_SEED = 113  # Keras' IMDb shuffle
ENCODING = ("n_unique_words", "n_words_to_skip", "max_review_length")  # the settings that say how text is encoded
PREDICT_COMMAND = ('scoring reviews with a trained classifier is `dli-zoo predict MODEL/NAME|FILE|RUN_DIR "TEXT" ...` '
                   '(--file PATH; - reads standard input)')
EMBEDDING = "vector-space embedding (defaults: the book's, for --arch)"

log = logging.getLogger("zoo")


def book_value(arch: str, key: str):
    """The book's ``key`` (epochs, batch size, or how text is encoded) for ``arch``."""
    book = BOOK[arch]
    return book.data[key] if key in book.data else getattr(book, key)


def book_defaults(key: str) -> str:
    """Each --arch's book value of ``key``, for the help."""
    values = {arch: book_value(arch, key) for arch in MODELS}
    if len(set(values.values())) == 1:
        return f"{values['dense']} for every --arch"
    return ", ".join(f"{value} for {arch}" for arch, value in values.items())


@dataclass(frozen=True)
class Settings(config.FitScript):
    model: ClassVar[str] = MODELS["dense"]  # the default --arch's: a run's model is its --arch's
    moved: ClassVar[dict[str, str]] = dict.fromkeys(("--predict", "--predict-file", "--from"), PREDICT_COMMAND)

    arch: str = config.setting("dense", "which classifier", choices=tuple(MODELS))
    # the book's epochs, batch size and encoding depend on --arch: resolved in book_settings()
    epochs: int | None = config.epochs(None, help=(
        "epochs in all, each a pass over the training reviews and its evaluation; a resumed run trains on to "
        f"this (default: the book's for --arch: {book_defaults('epochs')})"))
    batch_size: int | None = config.batch_size(None, help=(
        "reviews per training batch, per replica (the global batch is this times the replicas) (default: the "
        f"book's for --arch: {book_defaults('batch_size')})"))
    output_dir: str | None = config.setting(
        None, "where the run writes (default: model_output/ and the --arch's model: model_output/dense_sentiment, "
              "model_output/conv_sentiment, ...)", on_resume=True, group="run")
    n_unique_words: int | None = config.setting(
        None, f"words in the vocabulary, the rest are unknown (2) (default: {book_defaults('n_unique_words')})",
        parse=cli.positive_int, metavar="N", group=EMBEDDING)
    n_words_to_skip: int | None = config.setting(
        None, f"the most frequent words, made unknown (2) (default: {book_defaults('n_words_to_skip')})",
        parse=int, metavar="N", group=EMBEDDING)
    max_review_length: int | None = config.setting(
        None, f"words per review, padded and truncated at the start (default: {book_defaults('max_review_length')})",
        parse=cli.positive_int, metavar="N", group=EMBEDDING)
    max_examples: int | None = config.setting(None, "use only this many reviews of each split (quick runs)",
                                              parse=cli.positive_int, metavar="N")
    report: int = config.setting(10, "confidently wrong reviews to write out", parse=cli.positive_int,
                                 metavar="N", on_resume=True)  # what the report shows, not what was trained

    def default_output_dir(self) -> str:
        """Each classifier's runs in a folder of their own: ``model_output/<the --arch's model>``."""
        return config.default_output_dir(MODELS[self.arch])


def book_settings(settings: Settings) -> Settings:
    """The settings with the book's epochs, batch size and encoding for --arch where none was given, checked."""
    unset = [key for key in ("epochs", "batch_size", *ENCODING) if getattr(settings, key) is None]
    settings = dataclasses.replace(settings, **{key: book_value(settings.arch, key) for key in unset})
    if not 0 <= settings.n_words_to_skip < settings.n_unique_words:
        raise cli.UsageError(f"--n-words-to-skip {settings.n_words_to_skip} must be in [0, --n-unique-words)")
    return settings


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
    settings = config.parse(Settings, __doc__, load_backend=False)  # the flags checked first: a refusal is instant
    settings = book_settings(settings)  # --arch's book settings, resolved before the run records them
    cli.start_backend(settings)
    model_name = MODELS[settings.arch]
    recipe = BOOK[settings.arch]

    from sklearn.metrics import roc_auc_score

    from zoo import plots, runtime, training

    run = training.Run(settings, model_name)

    # data: reviews as word indices, padded and truncated at the start
    train, valid = run.data(imdb.load(
        batch_size=run.global_batch_size, num_words=settings.n_unique_words, skip_top=settings.n_words_to_skip,
        max_review_length=settings.max_review_length, padding=recipe.data["padding"],
        truncating=recipe.data["truncating"], source=settings.data, data_dir=settings.data_dir, seed=DATA_SEED,
        max_examples=settings.max_examples))
    index = imdb.word_index(data_dir=settings.data_dir)  # read now: the report after training decodes with it

    # model: the notebook's architecture; binary cross-entropy and Adam
    model = run.build_or_resume(lambda: recipe.build_compiled(
        n_unique_words=settings.n_unique_words, max_review_length=settings.max_review_length))
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
                                  index, settings.report)

    run.finish(model, {
        "arch": settings.arch,
        "roc_auc": round(roc_auc, 6),
        "best_epoch": best_epoch,
        "best_epoch_val_accuracy": round(accuracy, 6),
        "hyperparameters": {"n_unique_words": settings.n_unique_words, "n_words_to_skip": settings.n_words_to_skip,
                            "max_review_length": settings.max_review_length, "pad_type": recipe.data["padding"],
                            "trunc_type": recipe.data["truncating"]},
        "params": model.count_params(),
        "misclassified_report": str(report),
    })


if __name__ == "__main__":
    cli.main(main)
