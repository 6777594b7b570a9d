"""``docs/pretrained.md``: the registry as a table, with how to load and make weights;
``python -m zoo.pretrained --write docs/pretrained.md`` writes it."""

from __future__ import annotations

from zoo.files import document_command
from zoo.pretrained.lookup import CACHE_SUBDIR, EXPORT_COMMAND, REGISTRY_FILE, Weights, readable_size, registered

TABLE_PATH = "docs/pretrained.md"
REGENERATE = f"python -m zoo.pretrained --write {TABLE_PATH}"


def _number(value) -> str:
    if value is None:
        return "none"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else f"{value:.4g}"




def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _measured_cell(entry: Weights) -> str:
    measured = entry.card.get("metrics") or {}
    headline = measured.get("headline") or {}
    if not headline.get("metric"):
        return "none"
    split = str(measured.get("split", "")).split(":")[0]
    return f"{headline['metric']} {_number(headline.get('value'))}" + (f" ({split})" if split else "")


def _book_cell(entry: Weights) -> str:
    book = entry.card.get("book") or {}
    if not book.get("metric"):
        return "none"
    return f"{book['metric']} {_number(book.get('value'))}" if book.get("value") is not None else f"no figure ({book['metric']})"


def markdown_table() -> str:
    """Every registered entry as a Markdown table: model, name, the measured figure and its split,
    the book's figure, size, where the file comes from and the command that trained it."""
    entries = registered()
    if not entries:
        return ("No pretrained weights are registered yet. Train a model, then "
                f"`{EXPORT_COMMAND} RUN_DIR --name NAME` makes `weights=\"NAME\"` load it.\n")
    lines = ["| Model | Weights | Measured | The book | Size | File | Trained with |",
             "|---|---|---|---|---|---|---|"]
    for entry in entries:
        where = "in the package" if entry.bundled else ("download" if entry.url else "not published")
        command = entry.card.get("command") or "unknown"
        lines.append(f"| `{entry.model}` | `{entry.name}` | {_cell(_measured_cell(entry))} | {_cell(_book_cell(entry))} "
                     f"| {readable_size(entry.size)} | {where} | `{_cell(command)}` |")
    return "\n".join(lines) + "\n"


def pretrained_document() -> str:
    """``docs/pretrained.md``: the table, with how to load and make weights."""
    return "\n".join([
        "# Pretrained weights",
        "",
        f"Generated from `zoo/pretrained/{REGISTRY_FILE}`; do not edit: run `{REGENERATE}`.",
        "",
        "Load them by name, e.g. `build_lenet(weights=\"mnist\")`; `zoo.pretrained.card(model, name)` holds",
        "each one's model card. Files are looked for in `$ZOO_WEIGHTS_DIR`, the Keras cache",
        f"(`$KERAS_HOME/{CACHE_SUBDIR}`) and the package, then downloaded (from `$ZOO_WEIGHTS_URL` if set),",
        "their SHA-256 checked wherever they come from. Your own runs become named weights with",
        f"`{EXPORT_COMMAND} RUN_DIR --name NAME`.",
        "",
        markdown_table(),
    ])


def main(argv=None) -> None:
    document_command("python -m zoo.pretrained", "the registry", pretrained_document, TABLE_PATH, argv)
