"""The book's IMDb sentiment classifiers with plain ``model.fit`` on arrays, on any Keras backend.

    KERAS_BACKEND=jax python scripts/reproduce/imdb_any_backend.py rnn gru --data-dir ~/data/imdb

``train_sentiment.py`` is the zoo's script and needs TensorFlow; this one needs only Keras 3
and a backend, for GPU machines without TensorFlow. It follows the notebooks as
``train_sentiment.py`` does: each architecture's recipe (its embedding settings in ``data``;
binary cross-entropy, Adam, batch 128, the book's epochs), the 25,000 test reviews for
validation, the epoch with the lowest validation loss restored, and scikit-learn's ROC AUC of
its predictions. No checkpoints, no resume. Writes ``<output>/<arch>_history.csv`` and
``<output>/imdb_summary.json``; an earlier run's files are replaced only with ``--overwrite``.
"""

import time

import _common  # first: it makes the zoo importable from a plain checkout

from zoo import recipes  # noqa: E402
from zoo.files import write_json  # noqa: E402


def main():
    parser = _common.make_parser(__doc__, "a folder with imdb.npz, aclImdb_v1.tar.gz or aclImdb/",
                                 "default: each notebook's")
    parser.add_argument("archs", nargs="+", metavar="ARCH",
                        help="one or more of train_sentiment.py's --arch names (dense, conv, ..., multiconv)")
    args = parser.parse_args()
    import keras  # after argparse: --help loads no backend

    from zoo.sentiment import MODELS  # the builders' table (it loads Keras)

    unknown = [arch for arch in args.archs if arch not in MODELS]
    if unknown:
        parser.error(f"argument ARCH: invalid choice: {unknown[0]!r} (choose from {', '.join(MODELS)})")
    output = _common.output_folder(parser, args, ["imdb_summary.json", *(f"{arch}_history.csv" for arch in args.archs)])

    from sklearn.metrics import roc_auc_score

    from zoo.datasets import imdb  # after argparse: --help needs no data
    from zoo.datasets import DataSourceError

    summary = {}
    for arch in args.archs:
        recipe = recipes.get(MODELS[arch])
        hyper = recipe.data
        try:
            (x_train, y_train), (x_valid, y_valid) = imdb.load_arrays(
                num_words=hyper["n_unique_words"], skip_top=hyper["n_words_to_skip"],
                max_review_length=hyper["max_review_length"], padding=hyper["padding"], truncating=hyper["truncating"],
                source=args.data, data_dir=args.data_dir)
        except DataSourceError as error:
            parser.exit(2, f"error: {error}\n")
        keras.utils.set_random_seed(args.seed)
        model = recipe.build_compiled(n_unique_words=hyper["n_unique_words"],
                                      max_review_length=hyper["max_review_length"])
        output.mkdir(parents=True, exist_ok=True)
        epochs = args.epochs or recipe.epochs
        # patience = epochs: never stops early, only restores the lowest-val_loss epoch, as the notebooks reload it
        best = keras.callbacks.EarlyStopping("val_loss", patience=epochs, restore_best_weights=True)
        started = time.perf_counter()
        history = model.fit(x_train, y_train, batch_size=recipe.batch_size, epochs=epochs,
                            validation_data=(x_valid, y_valid), verbose=2,
                            callbacks=[best, keras.callbacks.CSVLogger(str(output / f"{arch}_history.csv"))]).history
        y_hat = model.predict(x_valid, batch_size=1024, verbose=0).ravel()
        summary[arch] = {"model": MODELS[arch], "backend": keras.backend.backend(), **hyper,
                         "n_train": len(x_train), "n_validation": len(x_valid), "epochs": len(history["loss"]),
                         "best_epoch": best.best_epoch + 1, "roc_auc": float(roc_auc_score(y_valid, y_hat)),
                         "val_accuracy": float(((y_hat >= 0.5) == (y_valid == 1)).mean()),
                         "book_roc_auc": recipe.reference.value, "wall_time_s": round(time.perf_counter() - started, 1)}
        print(arch, summary[arch], flush=True)
        write_json(output / "imdb_summary.json", summary)


if __name__ == "__main__":
    main()
