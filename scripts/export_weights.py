"""Export a finished run's trained weights under a name, with a model card: ``dli-zoo export``
(zoo.commands.export) under its old name, so ``python scripts/export_weights.py RUN_DIR`` keeps working."""

from zoo import cli
from zoo.commands import export


def main():
    export.main(prog="export_weights.py")


if __name__ == "__main__":
    cli.main(main)
