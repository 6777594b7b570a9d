"""AlexNet or VGGNet on Oxford Flowers 17 with plain ``model.fit`` on arrays, on any Keras backend.

    KERAS_BACKEND=jax python scripts/reproduce/flowers17_any_backend.py alexnet --data-dir ~/data/17flowers

``train_alexnet.py`` and ``train_vggnet.py`` are the zoo's scripts; they need TensorFlow
(tf.data, device placement, checkpoints). This one needs only Keras 3 and a backend, so the
book's full 100 and 250 epochs can run on a GPU machine that has JAX or PyTorch but no
TensorFlow; the README's AlexNet and VGGNet rows were measured this way. Same builder,
recipe (Adam, batch 64, the book's epochs), 224x224 photos divided by 255, and the zoo's
stratified 90/10 split as the scripts; no checkpoints, no resume. Writes
``<output>/<model>_history.csv`` and ``<output>/<model>_summary.json``; an earlier run's files
are replaced only with ``--overwrite``.
"""

import time

import _common  # first: it makes the zoo importable from a plain checkout

import keras  # noqa: E402
import numpy as np  # noqa: E402

from zoo import recipes  # noqa: E402
from zoo.files import write_json  # noqa: E402

MODELS = ("alexnet", "vggnet")


def main():
    parser = _common.make_parser(__doc__, "the Flowers 17 folder (jpg/ and labels, or the 17flowers tarball)",
                                 "default: the book's (AlexNet 100, VGGNet 250)")
    parser.add_argument("model", choices=MODELS)
    args = parser.parse_args()
    output = _common.output_folder(parser, args, [f"{args.model}_history.csv", f"{args.model}_summary.json"])

    from zoo.datasets import flowers17  # after argparse: --help needs no data
    from zoo.datasets import DataSourceError

    try:
        # --seed also draws the split, as train_alexnet.py's --seed does
        (x_train, y_train), (x_val, y_val) = flowers17.load_arrays(source=args.data, data_dir=args.data_dir,
                                                                   seed=args.seed)
    except DataSourceError as error:
        parser.exit(2, f"error: {error}\n")
    x_train, x_val = x_train.astype("float32") / 255, x_val.astype("float32") / 255
    y_train, y_val = keras.utils.to_categorical(y_train, 17), keras.utils.to_categorical(y_val, 17)

    recipe = recipes.get(args.model)
    keras.utils.set_random_seed(args.seed)
    model = recipe.build_compiled()
    output.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=recipe.batch_size, epochs=args.epochs or recipe.epochs,
                        shuffle=True, validation_data=(x_val, y_val), verbose=2,
                        callbacks=[keras.callbacks.CSVLogger(str(output / f"{args.model}_history.csv"))]).history
    accuracy = history["val_accuracy"]
    summary = {"model": args.model, "backend": keras.backend.backend(), "n_train": len(x_train),
               "n_validation": len(x_val), "epochs": len(accuracy), "batch_size": recipe.batch_size,
               "seed": args.seed, "val_accuracy": accuracy[-1], "best_val_accuracy": max(accuracy),
               "best_epoch": int(np.argmax(accuracy)) + 1, "wall_time_s": round(time.perf_counter() - started, 1)}
    write_json(output / f"{args.model}_summary.json", summary)
    print(summary)


if __name__ == "__main__":
    main()
