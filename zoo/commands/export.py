"""Export a finished run's trained weights under a name, with a model card, so builders load them by name.

    dli-zoo export model_output/lenet                  # then build_lenet(weights="mnist")
    dli-zoo export model_output/lenet --name my_mnist  # a name of your own
    dli-zoo export model_output/gan --into ~/weights   # then ZOO_WEIGHTS_DIR=~/weights
    dli-zoo export model_output/lenet --into zoo/pretrained   # bundle it in the package
    dli-zoo export model_output/alexnet --into zoo/pretrained \\
        --url https://github.com/OWNER/REPO/releases/download/TAG/   # register a download; upload the file there

Each trained network of the run (model.keras; the GAN's generator.keras and discriminator.keras;
word2vec's word2vec.model as word2vec's binary vectors) becomes <model>.<name>.weights.h5 (or
.vectors.bin) beside its card <model>.<name>.json: the run's command, settings, data and its
SHA-256, versions, hardware, wall time, the held-out metrics and the book's figure. By default
they go into the Keras cache ($KERAS_HOME/models/dli-zoo), where weights="<name>" finds them;
into zoo/pretrained they join the package's registry instead (with --url: registered as a
download, the file left in the Keras cache to be uploaded there; a file over 6 MB is registered
but not bundled, and left there too). The name defaults to the
run's dataset ("mnist", "quickdraw_apple"; "_sample" added for the bundled sample) or its
environment ("cartpole_v1"). A name the registry lists without a published file (AlexNet's
"flowers17") may be yours, and then loads your file; a published one may not. Nothing is
replaced without --overwrite. (scripts/export_weights.py is the same command.)
"""

from __future__ import annotations

from zoo import cli
from zoo.runrecords import print_result


def make_parser(prog: str = "dli-zoo export"):
    parser = cli.ArgumentParser(prog=prog, description=__doc__.strip())
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a finished run's --output-dir")
    parser.add_argument("--name", default=None, help="the weights' name (default: from the run's data)")
    parser.add_argument("--into", default=None, metavar="DIR",
                        help="where to write (default: $KERAS_HOME/models/dli-zoo; zoo/pretrained: the registry)")
    parser.add_argument("--url", default=None,
                        help="with --into zoo/pretrained: the https:// address the file will be downloaded from "
                             "(a GitHub release asset, a file on the Hugging Face Hub; ending in /: the file's name is added)")
    parser.add_argument("--network", default=None, metavar="MODEL",
                        help="export only this network of the run (the GAN's generator or discriminator)")
    parser.add_argument("--data-note", default=None, metavar="TEXT",
                        help="the card's word on the data, where the run's record cannot say it (instead of "
                             "calling a run on the bundled sample a smoke test when that sample was all there was)")
    parser.add_argument("--note", default=None, metavar="TEXT",
                        help="a remark for the card: how these weights were chosen among runs, say")
    parser.add_argument("--overwrite", action="store_true", help="replace the weights of that name if they exist")
    parser.add_argument("--quiet", action="store_true", help=cli.QUIET_HELP)
    return parser


def main(argv=None, prog: str = "dli-zoo export") -> None:
    args = cli.parse_args(make_parser(prog), argv, load_backend=False)

    from zoo import pretrained  # after parsing: --help needs no backend

    if args.url is not None:
        pretrained.check_address(args.url)  # before the backend's start-up: a refusal is quick
    cli.start_backend(args)

    exported = pretrained.export(args.run_dir, name=args.name, into=args.into, overwrite=args.overwrite, url=args.url,
                                 data_note=args.data_note, note=args.note, network=args.network)
    print_result({"exported": [
        {"model": entry.model, "name": entry.name, "file": entry.file, "sha256": entry.sha256, "size": entry.size,
         "card": str(pretrained.registry_path()) if entry.registered else entry.found_in,
         "load": f"zoo.get({entry.model!r})(weights={entry.name!r})",
         **({"url": entry.url, "upload": str(pretrained.cache_dir() / entry.file)} if entry.url else {})}
        for entry in exported]})
