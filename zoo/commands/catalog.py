"""``dli-zoo list`` and ``dli-zoo card``: the weights there are, and what each one's card says.

    dli-zoo list                 # what loads: bundled, downloadable, or your own exports
    dli-zoo list lenet           # one model's weights
    dli-zoo list --all           # with the entries registered but not published (marked)
    dli-zoo card lenet/mnist     # how the weights were made and what they measure
"""

from __future__ import annotations

import json

from zoo import cli
from zoo.commands import options
from zoo.errors import UsageError, one_line


def where(entry) -> str:
    if not entry.registered:
        return "your export"
    if entry.bundled:
        return "bundled"
    return "download" if entry.url else "not published"


def headline(card: dict) -> str:
    figure = (card.get("metrics") or {}).get("headline") or {}
    if figure.get("value") is None:
        return ""
    value = figure["value"]
    return f"{figure.get('metric')} {value:.4g}" if isinstance(value, (int, float)) else f"{figure.get('metric')} {value}"


def list_main(argv) -> None:
    parser = options.parser("list", "The trained weights dli-zoo's commands can use, by MODEL/NAME.", device=False)
    parser.add_argument("model", nargs="?", default=None, metavar="MODEL", help="only this model's weights")
    parser.add_argument("--all", action="store_true", help="also the entries registered but not published (marked)")
    # --model has one meaning among the commands (the model a weights file holds); here it is the positional
    cli.renamed_flag(parser, "--model", "the positional MODEL: dli-zoo list MODEL")
    args = cli.parse_args(parser, argv, load_backend=False)
    from zoo.pretrained import lookup

    try:
        entries = lookup.available()
        if args.all:
            shown = {(entry.model, entry.name) for entry in entries}
            entries += [entry for entry in lookup.registered() if (entry.model, entry.name) not in shown]
    except ValueError as error:
        raise UsageError(one_line(error)) from None
    if args.model is not None:
        models = sorted({entry.model for entry in entries})
        if args.model not in models:
            raise UsageError(f"{args.model}: no weights of it; the models with weights: {', '.join(models)}")
        entries = [entry for entry in entries if entry.model == args.model]
    rows = [{"weights": str(entry), "model": entry.model, "name": entry.name, "where": where(entry),
             "published": entry.published, "size": entry.size, "headline": headline(entry.card)} for entry in entries]
    if not args.quiet and rows:
        width = max(len(row["weights"]) for row in rows)
        for row in rows:
            mark = "" if row["published"] else "  (registered, not published: only its card)"
            print(f"{row['weights'].ljust(width)}  {lookup.readable_size(row['size']):>8}  {row['where']:<13}  "
                  f"{row['headline']}{mark}", flush=True)
    options.print_result({"weights": rows, "all": args.all})


def card_main(argv) -> None:
    parser = options.parser("card", "The model card of trained weights: how they were made, what they measure.",
                            device=False)
    parser.add_argument("source", metavar="MODEL/NAME", help="the weights (dli-zoo list); a NAME only one model has")
    args = cli.parse_args(parser, argv, load_backend=False)
    from zoo.pretrained import lookup

    model, slash, name = args.source.rpartition("/")
    try:
        if slash:
            entry = lookup.get(model, name)
        else:
            found = [entry for entry in lookup.registered() + lookup.available() if entry.name == args.source]
            found = list({str(entry): entry for entry in found}.values())
            if len(found) != 1:
                every = sorted({str(entry) for entry in lookup.registered() + lookup.available()})
                raise UsageError(f"{args.source!r} names weights of {len(found)} models: "
                                 f"{', '.join(str(entry) for entry in found)}; say which as MODEL/NAME" if found else
                                 f"no weights are named {args.source!r}; those there are: {', '.join(every)}")
            entry = found[0]
        card = lookup.card(entry.model, entry.name)
    except ValueError as error:
        raise UsageError(one_line(error)) from None
    if not args.quiet:
        took = lookup.training_time(card)
        lines = [f"{entry}  ({where(entry)}, {lookup.readable_size(entry.size)}, sha256 {entry.sha256[:12]}...)",
                 f"  measured: {headline(card) or 'no figure'}" + (f" on {card['metrics']['split']}"
                                                                    if (card.get('metrics') or {}).get('split') else ""),
                 f"  trained by: {card.get('command') or 'not recorded'}" + (f" ({took})" if took else "")]
        lines += [f"  {key.replace('_', ' ')}: {card[key]}" for key in ("intended_use", "limitations", "licence", "note")
                  if card.get(key)]
        lines.append(f"  use it: dli-zoo {use_command(entry.model)} {entry}")
        print("\n".join(lines), flush=True)
    options.print_result(json.loads(json.dumps(card, default=str)))


def use_command(model: str) -> str:
    """The dli-zoo command that puts ``model``'s weights to use."""
    from zoo.commands import digits, play, reviews

    if model in play.MODELS:
        return "play"
    if model in (*reviews.MODELS, *digits.MODELS):
        return "predict"
    if model == "generator":
        return "generate"
    if model == "word2vec":
        return "similar"
    return "verify"

