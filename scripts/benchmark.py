"""Measure the zoo against the book's way, side by side in one run, as ratios.

    python scripts/benchmark.py --quick                  # every section, small sizes
    python scripts/benchmark.py --only lenet,dqn         # some sections, full sizes
    python scripts/benchmark.py --quick --only backends  # the same work on each installed Keras backend
    python scripts/benchmark.py --quick --only time_to_result  # each model's fastest command, projected minutes

Each section lives in ``scripts/benchmarks/<name>.py`` and returns rows measured in this
process, all timed one way (``benchmarks/_shared.py``): warm-up calls untimed, then the two
sides in alternating rounds. The table is printed as markdown and written as JSON
(``--out``, replaced only with ``--overwrite``). A ratio above 1 means the zoo is that many times faster (or, for the GFLOP/s
row, the fraction of the peak): the median of the rounds' ratios, their minimum and maximum
beside it.
"""

import importlib
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

# sections import as benchmarks.<name>; some reuse a script's settings as scripts.<name>
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from zoo import cli, config  # noqa: E402  (no backend: --help answers at once)
from zoo.errors import one_line  # noqa: E402

SECTIONS = {"lenet": "mnist", "vision": "vision", "nlp": "nlp", "gan": "gan", "dqn": "dqn",
            "precision": "precision", "backends": "backends", "time_to_result": "time_to_result"}
COLUMNS = ("section", "case", "baseline", "zoo", "unit", "ratio", "min-max", "note")


def _cell(row, column):
    if column == "min-max":
        return f"{row['ratio_min']}-{row['ratio_max']}" if "ratio_min" in row else ""
    return str(row.get(column, ""))


def markdown(rows):
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_cell(row, column) for column in COLUMNS) + " |" for row in rows]
    return "\n".join(lines)


@dataclass(frozen=True)
class Settings(config.Settings):
    renamed: ClassVar[dict[str, str]] = {"--output": "--out FILE (the JSON the benchmark writes)"}

    quick: bool = config.setting(False, "small sizes, same method: about a minute per section")
    only: str = config.setting(",".join(SECTIONS), f"comma-separated sections of {', '.join(SECTIONS)}")
    out: str = config.setting("benchmark_output/benchmark.json", "the JSON file the benchmark writes", metavar="FILE")
    overwrite: bool = config.setting(False, "replace --out if it exists")


def main():
    args = config.parse(Settings, __doc__, load_backend=False)  # bad flags or variables: one line, exit 2
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        raise cli.UsageError(f"unknown section(s) {', '.join(unknown)}; expected {', '.join(SECTIONS)}")
    if Path(args.out).exists() and not args.overwrite:
        raise cli.UsageError(f"{args.out} exists; pass --overwrite to replace it, or --out another file")

    from zoo.startup import load_backend

    backend = load_backend()  # quietly: TensorFlow's start-up log lines would bury the progress lines
    from benchmarks import _shared
    from zoo.files import write_json

    rows, failed = [], {}
    for name in chosen:
        started = time.perf_counter()
        print(f"benchmarking {name} on {backend} ...", file=sys.stderr, flush=True)
        try:
            section_rows = importlib.import_module(f"benchmarks.{SECTIONS[name]}").rows(quick=args.quick)
        except Exception as error:  # one section that cannot run here should not hide the others' numbers
            failed[name] = f"{type(error).__name__}: {one_line(error, first_line=True)}"
            print(f"  {name}: cannot run on {backend}: {failed[name]}", file=sys.stderr, flush=True)
            continue
        rows += section_rows
        print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)

    print(markdown(rows))
    write_json(args.out, {"quick": args.quick, "machine": platform.processor() or platform.machine(),
                             "cpus": os.cpu_count(), **_shared.describe(), "rows": rows, "failed": failed})
    print(f"written {args.out}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    cli.main(main)
