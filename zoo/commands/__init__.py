"""``dli-zoo`` (and ``python -m zoo``): the zoo's trained models put to use, one subcommand a job.

    dli-zoo list                                    # the weights there are
    dli-zoo play cartpole_v0 --episodes 5           # a trained agent plays
    dli-zoo predict conv_sentiment/imdb "A wonderful film."

Each subcommand lives in a module of its own, imported only when it runs, so ``dli-zoo --help``
loads no Keras; each takes what it uses as MODEL/NAME, a NAME, a weights file or a run's folder
(:mod:`zoo.commands.sources`), ends with a ``RESULT`` line, and turns a mistake into one line on
stderr and exit status 2 (``zoo.cli.main``).
"""

from __future__ import annotations

import difflib
import importlib
import sys

PROG = "dli-zoo"
# subcommand -> (module of zoo.commands, its function, what it does)
COMMANDS = {
    "list": ("catalog", "list_main", "the published weights (--all: also those registered but not published)"),
    "card": ("catalog", "card_main", "the model card of MODEL/NAME: how the weights were made, what they measure"),
    "verify": ("verify", "main", "re-measure the cards' figures on held-out data (zoo.pretrained.verify)"),
    "export": ("export", "main", "a finished run's weights under a name, with a model card"),
    "play": ("play", "main", "a trained Cart-Pole or Doom agent plays greedy episodes (--record FILE.gif)"),
    "generate": ("generate", "main", "a trained GAN generator draws new images into a PNG grid"),
    "predict": ("predict", "main", "score film reviews (text, files, stdin) or classify digit images"),
    "similar": ("similar", "main", "word vectors: nearest words, analogies, the odd one out"),
    "map": ("wordmap", "main", "word vectors as a searchable t-SNE map in one HTML file (bokeh)"),
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [f"usage: {PROG} COMMAND [ARGS ...]", "",
             "Use the zoo's trained models: play, generate, predict, query, map, list, verify and export weights.",
             "Each COMMAND takes MODEL/NAME (conv_sentiment/imdb), a NAME only one model has (cartpole_v0),",
             "a weights file or a finished run's folder, and ends with a RESULT line of JSON.", "", "commands:"]
    lines += [f"  {name.ljust(width)}  {summary}" for name, (_, _, summary) in COMMANDS.items()]
    lines += ["", f"`{PROG} COMMAND --help` says more; `python -m zoo` is the same command."]
    return "\n".join(lines) + "\n"


def command(name: str):
    """The function that runs subcommand ``name`` (its module imported now)."""
    module, function, _ = COMMANDS[name]
    return getattr(importlib.import_module(f"zoo.commands.{module}"), function)


def main(argv=None) -> int:
    """Run ``dli-zoo`` with ``argv`` (default: the command line); returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        (sys.stdout if argv else sys.stderr).write(usage())
        return 0 if argv else 2
    if argv[0] == "--version":
        from zoo import __version__

        print(f"{PROG} {__version__}")
        return 0
    name = argv[0]
    if name not in COMMANDS:
        close = difflib.get_close_matches(name, COMMANDS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        print(f"{PROG}: error: unknown command {name!r}{hint}; the commands: {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    from zoo import cli

    run = command(name)
    try:
        cli.main(lambda: run(argv[1:]))
    except SystemExit as exited:
        code = exited.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


def console() -> None:
    """The ``dli-zoo`` console script."""
    sys.exit(main())
