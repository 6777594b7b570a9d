"""``docs/pretrained.md``: the registry as tables, each published entry's card figure beside what
``dli-zoo verify`` measured (its records in ``docs/measurements/``), and how to
make the registered files that are not published; ``python -m zoo.pretrained --write
docs/pretrained.md`` writes it (``python -m zoo.pretrained docs`` writes every generated page)."""

from __future__ import annotations

import shlex
from pathlib import Path

from zoo.files import document_command, read_json
from zoo.pretrained.lookup import (CACHE_SUBDIR, EXPORT_COMMAND, REGISTRY_FILE, Weights, export_command, readable_size,
                                   registered)

VERIFY_RENAMED = {"--record": "--out"}  # the verify command's old flags, and today's spelling
VERIFY_COMMAND = "dli-zoo verify"  # what the pages tell users to run
VERIFY_MODULE = "python -m zoo.pretrained verify"  # the same command, which older records name


def current_command(command: str) -> str:
    """A measurement record's command as a user types it today: ``dli-zoo verify`` (the same
    command as ``python -m zoo.pretrained verify``, which records made before it name) and
    today's flags (records made before a flag was renamed keep the old one)."""
    words = shlex.split(command)
    module = shlex.split(VERIFY_MODULE)
    if words[:len(module)] == module:
        words = shlex.split(VERIFY_COMMAND) + words[len(module):]
    return shlex.join(VERIFY_RENAMED.get(word, word) for word in words)


TABLE_PATH = "docs/pretrained.md"
REGENERATE = "python -m zoo.pretrained docs"  # or --write docs/pretrained.md for this page alone
RECORDS_FOLDER = "docs/measurements"
BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}


def repository_root() -> Path:
    """The checkout the package runs from (the docs and records live there, not in a wheel)."""
    return Path(__file__).resolve().parents[2]


def records(folder=None) -> list[tuple[str, dict]]:
    """verify's records, ``(file name, record)``, full data first, then by file name."""
    folder = Path(folder) if folder is not None else repository_root() / RECORDS_FOLDER
    found = [(path.name, read_json(path)) for path in sorted(folder.glob("*.json"))]
    return sorted(found, key=lambda item: (item[1]["data"]["source"] != "full", item[0]))


def _number(value) -> str:
    if value is None:
        return "none"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else f"{value:.4g}"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _measured_cell(entry: Weights) -> str:
    measured = entry.card.get("metrics") or {}
    headline = measured.get("headline") or {}
    block = entry.card.get("verify") or {}
    if not headline.get("metric"):
        if block.get("metric") == "queries":  # the card's figure is its queries' expected answers
            return f"{block.get('expected')} word queries answered as expected"
        return "none"
    split = str(measured.get("split", "")).split(":")[0]
    return f"{headline['metric']} {_number(headline.get('value'))}" + (f" ({split})" if split else "")


def _book_cell(entry: Weights) -> str:
    book = entry.card.get("book") or {}
    if not book.get("metric"):
        return "none"
    return f"{book['metric']} {_number(book.get('value'))}" if book.get("value") is not None else f"no figure ({book['metric']})"


def verified_rows(entry, found=None) -> list[tuple[str, dict, dict]]:
    """``(record file, record, row)`` for each record's row of ``entry``."""
    found = records() if found is None else found
    return [(name, record, row) for name, record in found for row in record["rows"]
            if (row["model"], row["name"]) == (entry.model, entry.name)]


def verified_cell(entry, found=None, format_value=_number, brief: bool = False) -> str:
    """What verify measured of ``entry``: each figure with its data (``brief``: only whether the full
    set or the bundled sample) and backends, records that agree to the shown digits merged; an
    error or a failed check says so."""
    shown: dict[tuple, list[str]] = {}
    for name, record, row in verified_rows(entry, found):
        if row["verdict"] == "not published":
            continue
        source = record["data"]["source"]
        if row["measured"] is None:
            key = (source, f"{row['verdict']}")
        else:
            verdict = "" if row["verdict"] == "ok" else f", {row['verdict']}"
            data = source if brief else f"on {row['data']}"
            key = (source, f"{format_value(row['measured'])} {data}{verdict}")
        shown.setdefault(key, []).append(BACKEND_NAMES.get(record["backend"], record["backend"]))
    if not shown:
        return "not verified yet"
    return "; ".join(f"{text} ({', '.join(backends)})" for (_, text), backends in shown.items())


def _published_table(entries, found) -> list[str]:
    lines = ["| Model | Weights | Card | Verified | The book | Size | File | Trained with |",
             "|---|---|---|---|---|---|---|---|"]
    for entry in entries:
        where = "in the package" if entry.bundled else "download"
        lines.append(f"| `{entry.model}` | `{entry.name}` | {_cell(_measured_cell(entry))} "
                     f"| {_cell(verified_cell(entry, found))} | {_cell(_book_cell(entry))} "
                     f"| {readable_size(entry.size)} | {where} | `{_cell(entry.card.get('command') or 'unknown')}` |")
    return lines


def _unpublished_table(entries) -> list[str]:
    lines = ["| Model | Weights | Card | Size | File | Made with | Its wall time | Export it with |",
             "|---|---|---|---|---|---|---|---|"]
    for entry in entries:
        seconds = entry.card.get("wall_time_s")
        wall = f"{seconds / 60:,.0f} min" if isinstance(seconds, (int, float)) else "unknown"
        lines.append(f"| `{entry.model}` | `{entry.name}` | {_cell(_measured_cell(entry))} | {readable_size(entry.size)} "
                     f"| not published | `{_cell(entry.card.get('command') or 'unknown')}` | {wall} "
                     f"| `{export_command(entry)}` |")
    return lines


def markdown_table(found=None) -> str:
    """The published entries (card figure, verified figure, size, where the file comes from, the
    command that trained it), then the registered ones without a file and how to make them."""
    entries = registered()
    if not entries:
        return ("No pretrained weights are registered yet. Train a model, then "
                f"`{EXPORT_COMMAND} RUN_DIR --name NAME` makes `weights=\"NAME\"` load it.\n")
    found = records() if found is None else found
    published = [entry for entry in entries if entry.published]
    unpublished = [entry for entry in entries if not entry.published]
    lines = _published_table(published, found)
    if unpublished:
        lines += ["", "## Registered, not published", "",
                  "Their cards are registered, their files are not published (each is over the package's size "
                  "limit): train one with the command of its card (`DATA_DIR`: the full data's folder) and export "
                  "the run under the entry's name (`RUN_DIR`: that run's `--output-dir`) to load it by name.", "",
                  *_unpublished_table(unpublished)]
    return "\n".join(lines) + "\n"


def records_section(found) -> list[str]:
    """One line per record: its data, backend, date, machine and data files with their SHA-256."""
    if not found:
        return [f"No verification has been recorded yet: `{VERIFY_COMMAND} --out PATH`."]
    lines = []
    for name, record in found:
        machine = record.get("machine") or {}
        files = ", ".join(f"`{item['file']}` (SHA-256 `{item['sha256'][:12]}…`)" for item in record["data"]["files"])
        lines.append(f"- [`{name}`](measurements/{name}): `{current_command(record['command'])}` on "
                     f"{BACKEND_NAMES.get(record['backend'], record['backend'])} (Keras {record['versions'].get('keras')}), "
                     f"{record['date'][:10]}, {machine.get('cpus')} CPU cores ({', '.join(machine.get('devices') or [])}); "
                     f"data: {files or 'none read (environments and word queries)'}")
    return lines


def pretrained_document(found=None) -> str:
    """``docs/pretrained.md``: the tables, with how to load, verify and make weights."""
    found = records() if found is None else found
    return "\n".join([
        "# Pretrained weights",
        "",
        f"Generated from `zoo/pretrained/{REGISTRY_FILE}` and verify's records in `{RECORDS_FOLDER}/`; do not edit: "
        f"run `{REGENERATE}`.",
        "",
        "Load them by name, e.g. `build_lenet(weights=\"mnist\")`; `zoo.pretrained.card(model, name)` holds",
        "each one's model card. Files are looked for in `$ZOO_WEIGHTS_DIR`, the Keras cache",
        f"(`$KERAS_HOME/{CACHE_SUBDIR}`) and the package, then downloaded (from `$ZOO_WEIGHTS_URL` if set),",
        "their SHA-256 checked wherever they come from. Your own runs become named weights with",
        f"`{EXPORT_COMMAND} RUN_DIR --name NAME`.",
        "",
        "**Card** is the figure measured when the weights were exported, on the full held-out split the card",
        f"names; **Verified** is what `{VERIFY_COMMAND}` measured of the same file since, on the",
        "data and backends named (`--data sample`: the bundled samples; `--data full`: the full sets). Each card's",
        "`verify` block says which data, which way a difference counts and how much of one it allows, and why.",
        "The GAN's generator is scored against the apples it trained on, as FID usually is.",
        "",
        markdown_table(found),
        "## Verification records",
        "",
        *records_section(found),
        "",
    ])


def main(argv=None) -> None:
    document_command("python -m zoo.pretrained", "the registry", pretrained_document, TABLE_PATH, argv)
