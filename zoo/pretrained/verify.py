"""Re-measure the published weights' model cards on held-out data, on the current Keras backend.

    dli-zoo verify                         # every entry, on the bundled samples
    dli-zoo verify lenet imdb_sentiment/imdb --json
    dli-zoo verify --data full --data-dir DIR --out docs/measurements/NAME.json

(``python -m zoo.pretrained verify`` is the same command, without the RESULT line.)

Each card's ``verify`` block (``zoo.pretrained.checks``) says which metric of
``zoo.pretrained.measures`` re-measures it, on which data, which way a difference counts and how
much of one is allowed. One row per entry: the card's figure, the measured one, the data, and a
verdict: ``ok``, ``outside tolerance``, ``error`` (the run's exit status is then 1), or
``not published`` / ``not measured`` (a registered entry with no file; a card with no check for
that data), which fail nothing. ``--out`` writes the rows with the backend, versions, date,
machine and the SHA-256 of every data file read (a data folder is written ``DATA_DIR``).
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import platform
import shlex
import sys
from pathlib import Path

from zoo import environment
from zoo.errors import one_line
from zoo.pretrained import lookup
from zoo.pretrained.table import VERIFY_MODULE, VERIFY_RENAMED

log = logging.getLogger("zoo")

OK, OUTSIDE, ERROR, NOT_PUBLISHED, NOT_MEASURED = "ok", "outside tolerance", "error", "not published", "not measured"
FAILING = (OUTSIDE, ERROR)
DATA_CHOICES = ("sample", "full")
RECORD_FORMAT = 1
DIRECTIONS = {"within": "within", "at_least": "at least", "at_most": "at most"}


# ----------------------------------------------------------------------------- choosing entries

def _every_entry() -> list:
    """What can be loaded (``available()``: the published entries and the user's own exports), then
    the registered entries no one can load, whose rows say so; a user's export under such a name
    takes its place."""
    entries = lookup.available()
    taken = {(entry.model, entry.name) for entry in entries}
    return entries + [entry for entry in lookup.registered() if (entry.model, entry.name) not in taken]


def select(wanted=None) -> list:
    """The entries named ``MODEL`` or ``MODEL/NAME`` (all when none is named), in the registry's
    order; an unknown one is a one-line ``ValueError``."""
    everything = _every_entry()
    if not wanted:
        return everything
    chosen = []
    for item in wanted:
        if not isinstance(item, str):
            chosen.append(item)  # a Weights entry already
            continue
        model, _, name = item.partition("/")
        models = sorted({entry.model for entry in everything})
        no_weights = f"no weights of {model!r}: the models with weights are {', '.join(models)}"
        if name:
            try:
                found = [lookup.get(model, name)]
            except ValueError:
                if model not in models:  # lookup's own words offer a file, which verify does not take
                    raise ValueError(no_weights) from None
                raise
        else:
            found = [entry for entry in everything if entry.model == model]
            if not found:
                raise ValueError(no_weights)
        chosen += [entry for entry in found if entry not in chosen]
    return chosen


# ----------------------------------------------------------------------------- measuring

def _passes(direction: str, card: float, measured: float, tolerance: float) -> bool:
    slack = 1e-9 * max(1.0, abs(card))  # the card's rounding, not a tolerance
    if direction == "at_least":
        return measured >= card - tolerance - slack
    if direction == "at_most":
        return measured <= card + tolerance + slack
    return abs(measured - card) <= tolerance + slack


def card_figure(entry) -> float | None:
    """The card's figure that its ``verify`` block checks."""
    block = entry.card.get("verify") or {}
    if block.get("compares") is None:
        return block.get("expected")
    return ((entry.card.get("metrics") or {}).get("values") or {}).get(block["compares"])


def measure_entry(entry, data: str = "sample", data_dir=None, cache=None) -> dict:
    """One row: ``entry``'s card figure against its re-measurement on ``data``'s held-out set."""
    from zoo.pretrained import measures

    block = entry.card.get("verify") or {}
    check = block.get(data) if block.get("metric") else None
    row = {"weights": str(entry), "model": entry.model, "name": entry.name, "metric": block.get("metric"),
           "compares": block.get("compares"), "card": card_figure(entry), "measured": None,
           "direction": (check or {}).get("direction"), "tolerance": (check or {}).get("tolerance"),
           "data": None, "verdict": None, "reason": None, "files": []}
    if not entry.published:
        return {**row, "verdict": NOT_PUBLISHED, "reason": "registered without a file to load; see docs/pretrained.md"}
    if not block:
        return {**row, "verdict": NOT_MEASURED, "reason": "its card has no verify block"}
    if check is None:
        why = block.get("why") if not block.get("metric") else f"its card names no held-out {data} data"
        return {**row, "verdict": NOT_MEASURED, "reason": why}
    try:
        measured = measures.measure(entry, data, data_dir, cache)
    except Exception as error:  # one row's failure is reported, the others are still measured
        if environment.flag("ZOO_DEBUG"):
            raise
        return {**row, "verdict": ERROR, "reason": one_line(error)}
    row.update(measured=measured.value, data=measured.data, files=measured.files)
    if row["card"] is None:
        return {**row, "verdict": ERROR, "reason": f"the card has no {block.get('compares')} figure"}
    passed = _passes(check["direction"], row["card"], measured.value, check["tolerance"])
    return {**row, "verdict": OK if passed else OUTSIDE,
            "reason": None if passed else f"{DIRECTIONS[check['direction']]} {check['tolerance']:g} of the card: {check['why']}"}


def verify(entries=None, data: str = "sample", data_dir=None) -> list[dict]:
    """Re-measure ``entries`` (``Weights``, ``"MODEL"`` or ``"MODEL/NAME"``; default: every entry)
    on ``data`` ("sample": the bundled samples; "full": the full sets, from ``data_dir`` or the
    loaders' usual places). One row per entry; see :func:`measure_entry`."""
    from zoo.pretrained.measures import DataCache

    if data not in DATA_CHOICES:
        raise ValueError(f"data={data!r} is invalid: expected one of {', '.join(DATA_CHOICES)}")
    cache = DataCache()
    rows = []
    for entry in select(entries):
        log.info(f"verifying {entry} on {data} data")
        rows.append(measure_entry(entry, data, data_dir, cache))
    return rows


def failed(rows) -> bool:
    return any(row["verdict"] in FAILING for row in rows)


# ----------------------------------------------------------------------------- showing and recording

def number(value, metric: str | None = None) -> str:
    if value is None:
        return "-"
    if metric == "queries":
        return f"{value:g}"
    return f"{value:.2f}" if abs(value) >= 10 else f"{value:.4f}"


def check_words(row: dict) -> str:
    if row["direction"] is None:
        return ""
    return f"{DIRECTIONS[row['direction']]} {row['tolerance']:g}"


def table(rows) -> str:
    """The rows as aligned text, with each failing row's reason under it."""
    header = ("weights", "metric", "card", "measured", "allowed", "verdict", "data")
    lines = [header] + [(row["weights"], row["metric"] or "-", number(row["card"], row["metric"]),
                         number(row["measured"], row["metric"]), check_words(row), row["verdict"], row["data"] or "")
                        for row in rows]
    widths = [max(len(line[column]) for line in lines) for column in range(len(header) - 1)]
    out = []
    for line, row in zip(lines, [None, *rows]):
        out.append("  ".join([*(cell.ljust(width) for cell, width in zip(line, widths)), line[-1]]).rstrip())
        if row is not None and row["reason"] and row["verdict"] != OK:
            out.append(f"    {row['reason']}")
    return "\n".join(out)


def public_rows(rows, data_dir=None) -> list[dict]:
    """The rows without their file paths; a reason names the package's folder and the data's
    by placeholders, so a record holds no one's own paths."""
    places = [(str(lookup.PRETRAINED_DIR), "zoo/pretrained"), (str(Path.home()), "~")]
    if data_dir:
        places.insert(0, (str(Path(data_dir).resolve()), "DATA_DIR"))
        places.insert(1, (str(data_dir), "DATA_DIR"))
    shown = []
    for row in rows:
        row = {key: value for key, value in row.items() if key != "files"}
        for path, placeholder in places:
            if row["reason"]:
                row["reason"] = row["reason"].replace(path, placeholder)
        shown.append(row)
    return shown


def _shown_path(path: Path, data_dir) -> str:
    """A data file as a record names it: under the data folder ``DATA_DIR/...``, a bundled sample
    ``samples/...``, anything else by its name (its SHA-256 says which file it is)."""
    from zoo.datasets import SAMPLES_DIR

    path = Path(path).resolve()
    for root, shown in ((data_dir, "DATA_DIR"), (SAMPLES_DIR, "samples")):
        if root and path.is_relative_to(Path(root).resolve()):
            return f"{shown}/{path.relative_to(Path(root).resolve()).as_posix()}".rstrip("/")
    return path.name


def data_files(rows, data_dir=None) -> list[dict]:
    """Every data file the rows read, once, with its SHA-256 (a folder: its manifest's)."""
    seen, files = set(), []
    for row in rows:
        for dataset, source, path in row.get("files") or []:
            path = Path(path)
            if path in seen:
                continue
            seen.add(path)
            digest = lookup.folder_sha256(path) if path.is_dir() else lookup.sha256_of(path)
            files.append({"dataset": dataset, "source": source, "file": _shown_path(path, data_dir),
                          "sha256": digest, **({"sha256_note": "a folder: the SHA-256 of its sorted manifest"}
                                               if path.is_dir() else {})})
    return files


def machine() -> dict:
    import keras

    devices = []
    try:
        devices = sorted({str(device).split(":")[0].split("(")[0] for device in keras.distribution.list_devices()})
    except Exception:  # a backend without the distribution API: the CPU is what runs it
        devices = ["cpu"]
    return {"system": platform.system(), "machine": platform.machine(), "cpus": os.cpu_count(), "devices": devices}


def record(rows, data: str, data_dir=None, argv=None, prog: str = VERIFY_MODULE) -> dict:
    """A measurement record: the rows, backend and library versions, date, machine and data files;
    ``prog``: the command that measured (``dli-zoo verify`` or ``python -m zoo.pretrained verify``)."""
    from zoo.runrecords import versions

    found = versions()
    for module in ("numpy", "sklearn", "gensim", "gymnasium", "vizdoom"):
        version = getattr(sys.modules.get(module), "__version__", None)
        if version is not None:
            found[module] = version
    return {
        "format": RECORD_FORMAT,
        "what": f"{prog}: the cards' figures re-measured",
        "command": shlex.join([*shlex.split(prog), *_portable_argv(argv or [])]),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "backend": found.get("backend"),
        "versions": found,
        "machine": machine(),
        "data": {"source": data, "files": data_files(rows, data_dir)},
        "rows": public_rows(rows, data_dir),
    }


def _portable_argv(argv) -> list[str]:
    words = list(argv)
    for index, word in enumerate(words[:-1]):
        if word in ("--data-dir", "--out"):
            words[index + 1] = "DATA_DIR" if word == "--data-dir" else Path(words[index + 1]).name
    return [word.split("=")[0] + "=DATA_DIR" if word.startswith("--data-dir=") else word for word in words]


# ----------------------------------------------------------------------------- command line

def main(argv=None, prog: str = VERIFY_MODULE, result_line: bool = False) -> None:
    """``python -m zoo.pretrained verify`` (and ``dli-zoo verify``, ``prog``, which ends with a RESULT
    line: ``result_line``): exit status 1 when a figure is outside its tolerance or could not be
    measured, 2 for a bad argument (before Keras loads)."""
    from zoo import cli

    argv = list(sys.argv[2:] if argv is None else argv)
    parser = cli.ArgumentParser(prog=prog,
                                description="Re-measure the published weights' model cards on held-out data "
                                            "on the current Keras backend; exit status 1 if any is outside "
                                            "its card's tolerance.")
    parser.add_argument("weights", nargs="*", metavar="MODEL[/NAME]",
                        help="the entries to verify (default: all): a model's every entry, or one by name")
    parser.add_argument("--data", choices=DATA_CHOICES, default="sample",
                        help="the bundled samples, or the full data sets through the loaders")
    parser.add_argument("--data-dir", default=None, metavar="DIR",
                        help="with --data full: the folder of the full data (default: $ZOO_DATA_DIR, the Keras cache)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON instead of a table")
    parser.add_argument("--out", default=None, metavar="PATH", help="write a measurement record (JSON) there")
    cli.renamed_flag(parser, "--record", f"{VERIFY_RENAMED['--record']} PATH (the measurement record)")
    parser.add_argument("--overwrite", action="store_true", help="replace the --out file if it exists")
    parser.add_argument("--quiet", action="store_true",
                        help=cli.QUIET_HELP if result_line else "print only the rows, warnings and errors: no progress")
    parser.add_argument("--verbose", action="store_true", help="also show the backend's start-up log lines")
    args = cli.parse_args(parser, argv, load_backend=False)
    if args.data_dir and args.data != "full":
        parser.error("--data-dir is for --data full; the samples are bundled")
    if args.out and Path(args.out).exists() and not args.overwrite:
        parser.error(f"--out {args.out} exists; pass --overwrite to replace it")
    try:
        entries = select(args.weights)
    except ValueError as error:
        parser.error(one_line(error))
    cli.start_backend(args)
    rows = verify(entries, args.data, args.data_dir)
    if not (args.quiet and result_line):  # the RESULT line says what the rows do
        print(json.dumps(public_rows(rows, args.data_dir), indent=2) if args.json else table(rows), flush=True)
    if args.out:
        from zoo.files import write_json

        write_json(args.out, record(rows, args.data, args.data_dir, argv, prog))
        log.info(f"wrote {args.out}")
    if result_line:
        from zoo.runrecords import print_result

        verdicts = [row["verdict"] for row in rows]
        print_result({"data": args.data, "verified": len(rows), "failed": failed(rows),
                      "verdicts": {verdict: verdicts.count(verdict) for verdict in dict.fromkeys(verdicts)},
                      "failing": [row["weights"] for row in rows if row["verdict"] in FAILING],
                      "out": args.out})
    sys.exit(1 if failed(rows) else 0)
