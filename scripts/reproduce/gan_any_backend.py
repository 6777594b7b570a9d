"""The book's GAN loop (predict, then two ``train_on_batch`` calls per iteration) on any Keras backend.

    KERAS_BACKEND=jax python scripts/reproduce/gan_any_backend.py --data-dir ~/data/quickdraw

``train_gan.py`` is the zoo's script: its fused ``GAN.train_step`` needs TensorFlow. This one
runs the notebook's own loop (``zoo.gan.book_models`` and ``book_iteration``: the same
networks, RMSprop optimisers with the book's decay and clipping, batch 128, 2,000 iterations)
with only Keras 3 and a backend, for GPU machines without TensorFlow. Every
``--sample-interval`` iterations it draws a 4x4 grid from one fixed batch of noise; at the
end it scores 1,000 drawings with ``zoo.gan.PixelFrechetDistance``. Writes
``<output>/gan_history.csv``, ``<output>/gan_iteration_NNNNN.png`` and
``<output>/gan_summary.json``; an earlier run's files are replaced only with ``--overwrite``.
"""

import csv
import time

import _common  # first: it makes the zoo importable from a plain checkout

import numpy as np  # noqa: E402

from zoo.files import atomic_path, write_json  # noqa: E402

BATCH_SIZE = 128  # the book's
ITERATIONS = 2000  # the book's
QUALITY_SAMPLES = 1000


def main():
    parser = _common.make_parser(__doc__, "a folder with the category's .npy (Quick, Draw! numpy_bitmap)",
                                 f"default: the book's {ITERATIONS}", epochs_flag="--iterations")
    parser.add_argument("--category", default="apple")
    parser.add_argument("--sample-interval", type=_common.positive_int, default=500, help="iterations between grids")
    args = parser.parse_args()
    output = _common.output_folder(parser, args, ["gan_history.csv", "gan_summary.json", "gan_iteration_*.png"])

    import keras  # after argparse: --help loads no backend

    from zoo import gan, plots

    from zoo.datasets import quickdraw  # after argparse: --help needs no data
    from zoo.datasets import DataSourceError

    try:
        drawings = quickdraw.load_arrays(args.category, source=args.data, data_dir=args.data_dir)
    except DataSourceError as error:
        parser.exit(2, f"error: {error}\n")
    real = drawings[..., None].astype("float32") / 255.0  # the book's (N, 28, 28, 1) in [0, 1]
    iterations = args.epochs or ITERATIONS

    keras.utils.set_random_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    discriminator, generator, adversarial = gan.book_models()
    quality = gan.PixelFrechetDistance(real, n_samples=QUALITY_SAMPLES, seed=args.seed)
    grid_noise = rng.uniform(-1.0, 1.0, size=(16, generator.input_shape[-1]))
    output.mkdir(parents=True, exist_ok=True)

    rows, started = [], time.perf_counter()
    for iteration in range(1, iterations + 1):
        (d_loss, d_accuracy), (a_loss, a_accuracy) = gan.book_iteration(
            real, discriminator, generator, adversarial, rng, BATCH_SIZE)
        rows.append((iteration, d_loss, d_accuracy, a_loss, a_accuracy))
        if iteration % args.sample_interval == 0 or iteration == iterations:
            drawn = generator.predict(grid_noise, verbose=0)
            plots.save(plots.image_grid(drawn, columns=4, title=f"{args.category}, iteration {iteration}"),
                       output / f"gan_iteration_{iteration:05d}.png")
    wall_time = time.perf_counter() - started

    with atomic_path(output / "gan_history.csv") as temporary, open(temporary, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["iteration", "d_loss", "d_accuracy", "a_loss", "a_accuracy"])
        writer.writerows(rows)
    noise = rng.uniform(-1.0, 1.0, size=(QUALITY_SAMPLES, generator.input_shape[-1]))
    summary = {"backend": keras.backend.backend(), "category": args.category, "n_drawings": len(real),
               "iterations": iterations, "batch_size": BATCH_SIZE, "seed": args.seed,
               "pixel_fd": round(quality(generator.predict(noise, verbose=0)), 3),
               "pixel_fd_real": round(quality.reference(), 3),
               "last_d_accuracy": float(rows[-1][2]), "last_a_accuracy": float(rows[-1][4]),
               "wall_time_s": round(wall_time, 1)}
    write_json(output / "gan_summary.json", summary)
    print(summary)


if __name__ == "__main__":
    main()
