"""The benchmark's one way of timing (scripts/benchmarks/_shared.py), with a fake clock."""

import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from benchmarks import _shared  # noqa: E402
from benchmark import markdown  # noqa: E402


class FakeClock:
    """Advances only when a side runs: each call of a side costs its next listed seconds."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def sides_costing(clock, costs, calls):
    def side(name):
        def run():
            calls.append(name)
            clock.now += costs[name].pop(0)
        return run
    return {name: side(name) for name in costs}


def test_alternate_warms_up_untimed_then_reverses_the_order_every_other_round():
    clock, calls = FakeClock(), []
    costs = {"book": [100.0, 4.0, 5.0, 6.0], "zoo": [100.0, 1.0, 2.0, 3.0]}  # first: the warm-up
    times = _shared.alternate(sides_costing(clock, costs, calls), rounds=3, warmup=1, clock=clock)
    assert calls == ["book", "zoo", "book", "zoo", "zoo", "book", "book", "zoo"]
    assert times == {"book": [4.0, 5.0, 6.0], "zoo": [1.0, 2.0, 3.0]}  # the warm-up's 100 s are not in it


def test_alternate_three_sides_and_no_warmup():
    clock, calls = FakeClock(), []
    costs = {"a": [1.0, 1.0], "b": [2.0, 2.0], "c": [3.0, 3.0]}
    times = _shared.alternate(sides_costing(clock, costs, calls), rounds=2, warmup=0, clock=clock)
    assert calls == ["a", "b", "c", "c", "b", "a"]
    assert times == {"a": [1.0, 1.0], "b": [2.0, 2.0], "c": [3.0, 3.0]}


@pytest.mark.parametrize("rounds", [0, -1, 1.5, True])
def test_alternate_refuses_bad_rounds(rounds):
    with pytest.raises(ValueError, match="rounds"):
        _shared.alternate({"a": lambda: None, "b": lambda: None}, rounds=rounds)


def test_row_reports_median_rates_and_the_median_paired_ratio_with_its_spread():
    # 100 images per call; the rounds' ratios are 2.0, 4.0 and 1.0
    row = _shared.row("s", "case", [2.0, 4.0, 1.0], [1.0, 1.0, 1.0], unit="images/s", note="n",
                      baseline_amount=100, zoo_amount=100)
    assert (row["baseline"], row["zoo"]) == (50.0, 100.0)
    assert (row["ratio"], row["ratio_min"], row["ratio_max"], row["rounds"]) == (2.0, 1.0, 4.0, 3)
    assert row["note"] == "n; median of 3 alternating rounds"


def test_row_per_unit_and_unequal_amounts():
    # the book times 1 call per round, the zoo a block of 50: 2 s against 50 x 1 ms
    row = _shared.row("s", "case", [2.0, 3.0, 2.5], [0.05, 0.05, 0.1], unit="ms/call", note="n",
                      baseline_amount=1, zoo_amount=50, per="unit", scale=1000)
    assert (row["baseline"], row["zoo"]) == (2500.0, 1.0)
    assert (row["ratio"], row["ratio_min"], row["ratio_max"]) == (2000.0, 1250.0, 3000.0)


def test_row_refuses_unpaired_rounds_and_bad_per():
    with pytest.raises(ValueError, match="as many"):
        _shared.row("s", "c", [1.0, 2.0], [1.0], unit="u", note="n")
    with pytest.raises(ValueError, match="per"):
        _shared.row("s", "c", [1.0], [1.0], unit="u", note="n", per="minute")


def test_setup_note_takes_the_timed_calls_only():
    # two warm-up calls' set-ups first (ignored), then three timed calls of 2 s
    note = _shared.setup_note([9.0, 9.0, 0.02, 0.04, 0.03], [2.0, 2.0, 2.0])
    assert note == "set-up 30 ms a call (2%)"


def test_markdown_shows_the_spread_beside_the_ratio():
    row = _shared.row("s", "case", [2.0, 4.0, 1.0], [1.0, 1.0, 1.0], unit="images/s", note="n",
                      baseline_amount=100, zoo_amount=100)
    table = markdown([row]).splitlines()
    assert table[0] == "| section | case | baseline | zoo | unit | ratio | min-max | note |"
    assert table[2] == "| s | case | 50.0 | 100.0 | images/s | 2.0 | 1.0-4.0 | n; median of 3 alternating rounds |"


def test_setup_meter_counts_the_first_batchs_extra_wait_with_the_set_up(monkeypatch):
    """A call of 0.5 s before its first batch, a first batch of 0.3 s, three of 0.1 s and 0.1 s
    after the last: steady batches of 0.1 s, 0.4 s at that rate; the rest (0.6 s outside the
    batches and the first batch's 0.2 s of waiting) is set-up. A call of one batch counts it as
    steady."""
    import types

    # the clock as the meter reads it: a call's start, the first batch's begin, each batch's end,
    # the call's end
    clock = iter([0.0, 0.5, 0.8, 0.9, 1.0, 1.1, 1.2,
                  2.0, 2.2, 2.5, 2.6])
    monkeypatch.setattr(_shared, "time", types.SimpleNamespace(perf_counter=lambda: next(clock)))
    meter = _shared.SetupMeter()

    class Model:
        def __init__(self, batches):
            self.batches = batches

        def fit(self, callbacks):
            for batch in range(self.batches):
                callbacks[0].on_train_batch_begin(batch)
                callbacks[0].on_train_batch_end(batch)
            return "history"

    assert meter.fit(Model(4)) == "history"
    assert meter.steps == pytest.approx([0.4]) and meter.setups == pytest.approx([0.8])
    meter.fit(Model(1))
    assert meter.steps == pytest.approx([0.4, 0.3]) and meter.setups == pytest.approx([0.8, 0.3])
