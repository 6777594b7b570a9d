"""AlexNet or VGGNet on Oxford Flowers 17 with plain ``model.fit`` on arrays, on any Keras backend.

    KERAS_BACKEND=jax python scripts/reproduce/flowers17_any_backend.py alexnet --data-dir ~/data/17flowers
    python scripts/export_weights.py reproduce_output/alexnet --into zoo/pretrained   # then, with TensorFlow

``train_alexnet.py`` and ``train_vggnet.py`` are the zoo's scripts; they need TensorFlow
(tf.data, device placement, checkpoints). This one needs only Keras 3 and a backend, so the
book's full 100 and 250 epochs can run on a GPU machine that has JAX or PyTorch but no
TensorFlow; the README's AlexNet and VGGNet rows were measured this way. Same builder,
recipe (Adam, batch 64, the book's epochs), 224x224 photos divided by 255, and the zoo's
stratified 90/10 split as the scripts; no checkpoints, no resume. Writes
``<output>/<model>_history.csv`` and ``<output>/<model>_summary.json``, and the finished run
``<output>/<model>/`` as the zoo's scripts leave one (state.json with the backend, its
version and the device; metrics.json; model.keras, the last epoch's network as
``train_alexnet.py`` keeps it, without the optimizer's state; history.csv; learning curves and
the confusion matrix), which ``scripts/export_weights.py`` turns into named weights that the
TensorFlow builders load. An earlier run's files are replaced only with ``--overwrite``.
"""

import time

import _common  # first: it makes the zoo importable from a plain checkout

import numpy as np  # noqa: E402

from zoo import recipes  # noqa: E402
from zoo.files import write_json  # noqa: E402

MODELS = ("alexnet", "vggnet")
IMAGE_SIZE = 224  # the book's; AlexNet takes 195 and up, VGGNet 212
VALIDATION_SPLIT = 0.1  # the book's, stratified by class as train_alexnet.py's


def main():
    parser = _common.make_parser(__doc__, "the Flowers 17 folder (jpg/ and labels, or the 17flowers tarball)",
                                 "default: the book's (AlexNet 100, VGGNet 250)")
    parser.add_argument("model", choices=MODELS)
    parser.add_argument("--image-size", type=_common.positive_int, default=IMAGE_SIZE,
                        help=f"photos are resized to this height and width (default: the book's {IMAGE_SIZE})")
    args = parser.parse_args()
    import keras  # after argparse: --help loads no backend

    from zoo.checkpoints import optimizer_iterations
    output = _common.output_folder(parser, args, [f"{args.model}_history.csv", f"{args.model}_summary.json"])
    run_folder = _common.run_folder(parser, args, args.model)
    started = time.perf_counter()

    from zoo.datasets import flowers17  # after argparse: --help needs no data
    from zoo.datasets import DataSourceError

    try:
        # load_arrays' photos with the record of where they came from, which state.json keeps;
        # --seed also draws the split, as train_alexnet.py's --seed does
        (x_train, y_train), (x_val, y_val), data = flowers17._load(args.image_size, args.data, args.data_dir,
                                                                   args.seed, VALIDATION_SPLIT)
    except DataSourceError as error:
        parser.exit(2, f"error: {error}\n")
    x_train, x_val = x_train.astype("float32") / 255, x_val.astype("float32") / 255
    labels_val = y_val
    y_train, y_val = keras.utils.to_categorical(y_train, 17), keras.utils.to_categorical(y_val, 17)

    recipe = recipes.get(args.model)
    keras.utils.set_random_seed(args.seed)
    try:
        model = recipe.build_compiled(input_shape=(args.image_size, args.image_size, 3))
    except ValueError as error:  # a size the net's strides and pools cannot take
        parser.exit(2, f"error: --image-size {args.image_size}: {error}\n")
    output.mkdir(parents=True, exist_ok=True)
    history_csv = output / f"{args.model}_history.csv"
    fit_started = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=recipe.batch_size, epochs=args.epochs or recipe.epochs,
                        shuffle=True, validation_data=(x_val, y_val), verbose=2,
                        callbacks=[keras.callbacks.CSVLogger(str(history_csv))]).history
    training_time = round(time.perf_counter() - fit_started, 1)
    accuracy = history["val_accuracy"]
    summary = {"model": args.model, "backend": keras.backend.backend(), "n_train": len(x_train),
               "n_validation": len(x_val), "epochs": len(accuracy), "batch_size": recipe.batch_size,
               "seed": args.seed, "val_accuracy": accuracy[-1], "best_val_accuracy": max(accuracy),
               "best_epoch": int(np.argmax(accuracy)) + 1, "wall_time_s": training_time}

    # the finished run, with what train_alexnet.py's run records
    predicted = np.argmax(model.predict(x_val, batch_size=recipe.batch_size, verbose=0), axis=1)
    matrix = np.zeros((flowers17.NUM_CLASSES, flowers17.NUM_CLASSES), dtype=int)
    np.add.at(matrix, (labels_val, predicted), 1)
    totals = matrix.sum(axis=1)
    per_class = {name: (float(matrix[i, i] / totals[i]) if totals[i] else None)
                 for i, name in enumerate(flowers17.CLASS_NAMES)}

    def confusion_plot(folder):
        from zoo import plots

        plots.save(plots.confusion_matrix(matrix, flowers17.CLASS_NAMES, title=f"{args.model}: validation"),
                   folder / "confusion_matrix.png")

    settings = {"augment": False, "batch_size": recipe.batch_size, "data": args.data, "image_size": args.image_size,
                "precision": keras.config.dtype_policy().name, "preprocess": "book", "seed": args.seed,
                "steps_per_epoch": None, "weights": None, "replicas": 1}
    progress = {"epochs_done": len(accuracy), "monitor": recipe.monitor, "mode": recipe.mode,
                "best": summary["best_val_accuracy"], "optimizer_iterations": optimizer_iterations(model)}
    metrics = {"per_class_accuracy": per_class, "confusion_matrix": matrix.tolist(), "image_size": args.image_size,
               "preprocess": "book", "augment": False, "training_time_s": training_time}
    summary["run_dir"] = str(run_folder)
    write_json(output / f"{args.model}_summary.json", summary)  # first, as before: the figures come what may
    _common.write_run(run_folder, args.model, settings=settings, data=data, history_csv=history_csv, model=model,
                      progress=progress, metrics=metrics, seed=args.seed, started=started,
                      write_extras=confusion_plot)
    print(summary)


if __name__ == "__main__":
    main()
