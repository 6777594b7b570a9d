"""What the any-backend reproduction scripts share: the zoo from a plain checkout, the options."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # a plain checkout works too: installing would pull in TensorFlow

import zoo  # noqa: E402

if importlib.util.find_spec("zoo.datasets") is None:
    zoo.__path__.append(str(ROOT))  # not installed: the checkout's datasets/ is what installs as zoo.datasets


from zoo import cli  # noqa: E402  (TensorFlow-free, like everything imported here)
from zoo.datasets import SOURCES  # noqa: E402

positive_int = cli.positive_int


def make_parser(doc: str, data_dir_help: str, epochs_help: str, epochs_flag: str = "--epochs"):
    """The options every reproduction script takes; ``args.epochs`` is None for the book's."""
    parser = cli.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--data", choices=SOURCES, default="full")
    parser.add_argument("--data-dir", help=data_dir_help)
    parser.add_argument(epochs_flag, dest="epochs", type=positive_int, help=epochs_help)
    parser.add_argument("--seed", type=cli.seed, default=42)
    parser.add_argument("--output", default="reproduce_output", help="folder for the histories and summary")
    parser.add_argument("--overwrite", action="store_true", help="replace this script's files in --output")
    return parser


def output_folder(parser, args, patterns) -> Path:
    """``--output`` as a Path, once no file the run would write (glob ``patterns``) is there
    already, unless ``--overwrite``; a previous run's results are never replaced silently."""
    output = Path(args.output)
    existing = sorted(path for pattern in patterns for path in output.glob(pattern))
    if existing and not args.overwrite:
        parser.exit(2, f"error: {existing[0]} already exists; pass --overwrite to replace it "
                       f"or choose another --output\n")
    return output
