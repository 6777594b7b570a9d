"""The benchmark's time_to_result section (scripts/benchmarks/time_to_result.py): which command
stands for the zoo's side on which CPU, and how timed steps project to a whole run."""

import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from benchmarks import time_to_result  # noqa: E402

CPUINFO = """processor\t: 0
model name\t: Some CPU
flags\t\t: fpu sse sse2 avx2 avx512f {extra}

processor\t: 1
flags\t\t: fpu sse sse2 avx2 avx512f {extra}
"""


@pytest.mark.parametrize("extra, expected", [("avx512_bf16", True), ("amx_tile amx_bf16", True),
                                             ("avx512_vnni", False), ("", False)])
def test_bfloat16_units_are_read_from_the_cpus_flags(tmp_path, extra, expected):
    """AVX-512 BF16 or AMX bfloat16 in /proc/cpuinfo's flags count as bfloat16 units; a flag
    that only contains the words (avx512_bf16 inside a model name) does not."""
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(CPUINFO.format(extra=extra).replace("Some CPU", "Some CPU avx512_bf16-less"))
    assert time_to_result.bfloat16_units(cpuinfo) is expected


def test_without_a_cpuinfo_file_bfloat16_is_not_assumed(tmp_path):
    assert time_to_result.bfloat16_units(tmp_path / "missing") is False


def test_the_fastest_command_drops_mixed_bfloat16_where_the_cpu_lacks_it():
    """The command and policy the zoo's side stands for: mixed bfloat16 only on a CPU with bfloat16
    units; a model whose fastest command is the default one gets no flag either way."""
    lenet, shallow = time_to_result.FASTEST["lenet"], time_to_result.FASTEST["shallow_net"]
    assert lenet.command(bfloat16=True) == "python scripts/train_lenet.py --precision mixed_bfloat16"
    assert lenet.policy(bfloat16=True) == "mixed_bfloat16"
    assert lenet.command(bfloat16=False) == "python scripts/train_lenet.py"
    assert lenet.policy(bfloat16=False) == "float32"
    assert shallow.command(bfloat16=True) == "python scripts/train_shallow_net.py"
    assert set(time_to_result.FASTEST) == {"gan", "alexnet", "lenet", "shallow_net"}


def test_timed_steps_project_to_the_whole_runs_minutes():
    """Each round's timed steps scale to the whole run's, its set-up counted once per epoch; each
    side's median; the ratio is the median of the rounds' speed-ups; the row names the command."""
    # 10 steps a call; the run: 1,200 steps in 3 epochs
    book = time_to_result.run_seconds([1.0, 1.0, 1.0], [4.0, 6.0, 5.0], steps=10, whole_steps=1200, setups_per_run=3)
    zoo = time_to_result.run_seconds([2.0, 2.0, 2.0], [2.0, 2.0, 1.0], steps=10, whole_steps=1200, setups_per_run=3)
    assert book == [483.0, 723.0, 603.0] and zoo == [246.0, 246.0, 126.0]
    assert time_to_result.run_seconds([9.0], [1.0], steps=10, whole_steps=100, setups_per_run=0) == [10.0]
    row = time_to_result._projected("case", book, zoo, steps=10, whole_steps=1200, what="the book's run",
                                    command="python scripts/x.py", note="n")
    assert row["baseline"] == 10.05  # 603 s
    assert row["zoo"] == 4.1  # 246 s
    assert row["ratio"] == pytest.approx(723 / 246, abs=5e-3) and row["ratio_min"] == pytest.approx(483 / 246, abs=5e-3)
    assert row["ratio_max"] == pytest.approx(603 / 126, abs=5e-3)
    assert row["unit"] == "min, projected"
    assert row["command"] == "python scripts/x.py" and row["whole_run_steps"] == 1200
    assert "1,200 steps" in row["note"] and "10 steps per timed call" in row["note"]
