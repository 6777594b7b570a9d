"""What the any-backend reproduction scripts share: the zoo from a plain checkout, the options."""

import argparse
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # a plain checkout works too: installing would pull in TensorFlow

import zoo  # noqa: E402

if importlib.util.find_spec("zoo.datasets") is None:
    zoo.__path__.append(str(ROOT))  # not installed: the checkout's datasets/ is what installs as zoo.datasets


def make_parser(doc: str, data_dir_help: str, epochs_help: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--data", choices=("auto", "full", "sample"), default="full")
    parser.add_argument("--data-dir", help=data_dir_help)
    parser.add_argument("--epochs", type=int, help=epochs_help)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", default="reproduce_output", help="folder for the histories and summary")
    return parser


def parse_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    args = parser.parse_args()
    if args.epochs is not None and args.epochs < 1:
        parser.error("--epochs must be at least 1")
    return args
