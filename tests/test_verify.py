"""``python -m zoo.pretrained verify``: every published card re-measured on the bundled samples,
on TensorFlow (in this process) and on JAX without TensorFlow (a subprocess), each figure within
its card's tolerance; a tampered card fails with exit status 1; bad arguments are one line and
exit status 2 before Keras loads (the renamed --record among them); ``--out`` names its data by SHA-256 and no local path; the
registry's ``verify`` blocks are what the export's spec makes of each card."""

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, needs_backend, run_python
from zoo import pretrained
from zoo.pretrained import checks, lookup, table, verify

PUBLISHED = [str(entry) for entry in pretrained.available() if entry.published]
UNPUBLISHED = [str(entry) for entry in pretrained.registered() if not entry.published]


@pytest.fixture(scope="module")
def tensorflow_rows():
    return verify.verify(data="sample")


def check_rows(rows):
    by_entry = {row["weights"]: row for row in rows}
    assert set(by_entry) == set(PUBLISHED) | set(UNPUBLISHED)
    for weights in UNPUBLISHED:
        assert by_entry[weights]["verdict"] == "not published" and by_entry[weights]["measured"] is None
    for weights in PUBLISHED:
        row = by_entry[weights]
        assert row["verdict"] == "ok", row
        assert isinstance(row["measured"], float) and row["data"], row
    assert by_entry["lenet/mnist"]["data"] == "MNIST test digits 0-999 (bundled sample)"
    assert by_entry["dense_sentiment/imdb"]["data"] == "1,000 aclImdb test reviews (bundled sample)"
    assert "the training apples (as FID usually is)" in by_entry["generator/quickdraw_apple"]["data"]
    assert by_entry["word2vec/gutenberg"]["measured"] == by_entry["word2vec/gutenberg"]["card"] == 3
    return by_entry


@pytest.mark.xdist_group("jax_bundled")  # its rows are the JAX test's reference: one worker computes them once
def test_every_published_card_holds_up_on_the_bundled_samples_on_tensorflow(tensorflow_rows):
    check_rows(tensorflow_rows)
    assert not verify.failed(tensorflow_rows)


@needs_backend("jax")
@pytest.mark.xdist_group("jax_bundled")  # with test_backends.py's JAX predictions, which share its JAX process
def test_every_published_card_holds_up_on_jax_without_tensorflow_and_agrees_with_tensorflow(jax_bundled_run,
                                                                                            tensorflow_rows):
    folder, _ = jax_bundled_run  # verify --json in the JAX process test_backends' predictions also run in
    run = json.loads((folder / "verify.json").read_text())
    assert run["status"] == 0
    theirs = check_rows(run["rows"])
    for row in tensorflow_rows:
        if row["measured"] is None or row["model"] == "generator":  # the noise is drawn by each backend's RNG
            continue
        # the same data and weights: the figures agree to float rounding (a flipped prediction or two)
        assert theirs[row["weights"]]["measured"] == pytest.approx(row["measured"], abs=2e-3), row["weights"]


@pytest.fixture
def tampered(tmp_path, monkeypatch):
    """A registry of the regression weights alone, its card's val_loss made 10% better than the file is."""
    monkeypatch.setattr(lookup, "PRETRAINED_DIR", tmp_path)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("ZOO_WEIGHTS_DIR", raising=False)
    registry = json.loads((ROOT / "zoo" / "pretrained" / "registry.json").read_text())
    entry = next(item for item in registry["weights"] if item["model"] == "regression_net")
    shutil.copy(ROOT / "zoo" / "pretrained" / entry["file"], tmp_path / entry["file"])
    entry["card"]["metrics"]["values"]["val_loss"] *= 0.9
    (tmp_path / "registry.json").write_text(json.dumps({"format": 1, "weights": [entry]}))
    return entry


def run_main(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        verify.main(argv)
    return exited.value.code, capsys.readouterr()


def test_a_card_whose_figure_the_file_does_not_reach_fails_with_exit_status_1(tampered, capsys):
    status, output = run_main(["regression_net", "--json", "--quiet"], capsys)
    [row] = json.loads(output.out)
    assert status == 1 and row["verdict"] == "outside tolerance"
    assert row["card"] == pytest.approx(tampered["card"]["metrics"]["values"]["val_loss"])
    assert row["measured"] == pytest.approx(row["card"] / 0.9, rel=1e-3)
    assert row["reason"].startswith("within 0.047 of the card")
    status, output = run_main(["regression_net/boston_housing", "--quiet"], capsys)
    assert status == 1 and "outside tolerance" in output.out


def test_the_record_names_the_data_by_sha256_and_holds_no_local_path(tmp_path, capsys):
    path = tmp_path / "record.json"
    status, output = run_main(["regression_net", "word2vec/gutenberg", "alexnet", "--out", str(path), "--quiet"],
                              capsys)
    assert status == 0, output
    record = json.loads(path.read_text())
    assert record["backend"] == "tensorflow" and record["versions"]["keras"] and record["date"]
    assert [row["verdict"] for row in record["rows"]] == ["ok", "ok", "not published"]
    assert record["data"] == {"source": "sample", "files": [{
        "dataset": "boston_housing", "source": "sample", "file": "samples/boston_housing.npz",
        "sha256": lookup.sha256_of(ROOT / "datasets" / "samples" / "boston_housing.npz")}]}
    assert str(tmp_path) not in path.read_text() and str(ROOT) not in path.read_text()
    status, output = run_main(["regression_net", "--out", str(path)], capsys)
    assert status == 2 and "exists; pass --overwrite" in output.err
    # the record's command runs as shown; records made before --out was --record are shown in today's spelling
    assert "--out record.json" in record["command"]
    assert record["command"].startswith("python -m zoo.pretrained verify ")  # what ran
    # the pages show the command users type: dli-zoo verify (the same command)
    assert table.current_command("python -m zoo.pretrained verify --quiet --record r.json --overwrite") == (
        "dli-zoo verify --quiet --out r.json --overwrite")


def test_the_pages_tell_users_dli_zoo_verify():
    """The README and docs/ (hand-written and generated) name `dli-zoo verify`, the installed command,
    not the module it runs; the generated pages would say so again when regenerated."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    assert [page.name for page in pages if "python -m zoo.pretrained verify" in page.read_text()] == []
    generated = table.pretrained_document()
    assert "python -m zoo.pretrained verify" not in generated and "`dli-zoo verify --quiet --out " in generated
    assert "dli-zoo verify" in (ROOT / "docs" / "results.md").read_text()


@pytest.mark.parametrize("arguments, message", [
    (["no_such_model"], "no weights of 'no_such_model'"),
    (["lenet/no_such_name"], "lenet has no weights named 'no_such_name'"),
    (["--data", "huge"], "invalid choice: 'huge'"),
    (["--data-dir", "."], "--data-dir is for --data full"),
    (["--record", "r.json"], "--record is now --out PATH"),
])
def test_a_bad_argument_is_one_line_and_exit_status_2_before_keras_loads(arguments, message):
    code = ("import sys\nfrom zoo.pretrained.verify import main\ntry:\n    main(sys.argv[1:])\n"
            "except SystemExit as exited:\n    print(exited.code, 'keras' in sys.modules)\n")
    completed = subprocess.run([sys.executable, "-c", code, *arguments], capture_output=True, text=True,
                               timeout=120, cwd=ROOT)
    assert completed.stdout.split() == ["2", "False"], completed.stderr
    [line] = completed.stderr.strip().splitlines()
    assert message in line, line


def test_help_and_an_argument_error_on_the_command_line_need_no_backend():
    completed = run_python("import runpy, sys\nsys.argv = ['x', 'verify', '--help']\ntry:\n"
                           "    runpy.run_module('zoo.pretrained', run_name='__main__')\n"
                           "except SystemExit as exited:\n    print('exit', exited.code, 'keras' in sys.modules)\n")
    assert "--data {sample,full}" in completed.stdout and completed.stdout.splitlines()[-1] == "exit 0 False"
    completed = subprocess.run([sys.executable, "-m", "zoo.pretrained", "verify", "--bogus"], capture_output=True,
                               text=True, timeout=120, cwd=ROOT)
    assert completed.returncode == 2 and len(completed.stderr.strip().splitlines()) == 1, completed.stderr


def test_the_registrys_verify_blocks_are_what_the_export_spec_makes_of_each_card(tmp_path):
    shipped = ROOT / "zoo" / "pretrained" / "registry.json"
    copy = tmp_path / "registry.json"
    shutil.copy(shipped, copy)
    assert checks.add_verify_blocks(copy) == 0 and copy.read_bytes() == shipped.read_bytes()
    registry = json.loads(copy.read_text())
    for item in registry["weights"]:
        del item["card"]["verify"]
    copy.write_text(json.dumps(registry))
    assert checks.add_verify_blocks(copy) == len(registry["weights"])
    assert json.loads(copy.read_text()) == json.loads(shipped.read_text())  # nothing else of a card changed


def test_an_exported_card_carries_a_verify_block_from_its_own_figures():
    state = {"model": "lenet", "data": {"dataset": "mnist", "source": "full", "origin": "absent.npz"}}
    card = pretrained.make_card(state, {"val_accuracy": 0.9, "book": {"metric": "val_accuracy"}}, "model.keras")
    block = card["verify"]
    assert (block["metric"], block["compares"], block["sample"]["direction"]) == ("accuracy", "val_accuracy", "at_least")
    assert block["sample"]["tolerance"] == pytest.approx(3 * (0.9 * 0.1 / 1000) ** 0.5, abs=1e-4)
    gan = pretrained.make_card({**state, "model": "gan", "data": {"dataset": "quickdraw/apple", "origin": "absent.npz"}},
                               {"pixel_fd": 2.0, "pixel_fd_real": 0.5}, "generator.keras", model="generator")
    assert (gan["verify"]["metric"], gan["verify"]["sample"]["direction"], gan["verify"]["sample"]["tolerance"]) == \
        ("pixel_fd", "at_most", 0.5)


# ----------------------------------------------------------------------------- the generated pages

def test_the_committed_pretrained_page_and_results_tables_are_what_the_generator_makes_now():
    from zoo.pretrained import results

    stale = [str(path.relative_to(ROOT)) for path, text in results.generated_pages().items()
             if path.read_text(encoding="utf-8") != text]
    assert not stale, f"{', '.join(stale)} stale: run `python -m zoo.pretrained docs`"


def test_the_tables_take_verified_figures_from_the_records_and_say_not_measured_without_weights():
    from zoo.pretrained import results, table

    lenet = pretrained.get("lenet", "mnist")
    record = {"backend": "jax", "data": {"source": "sample", "files": []}, "rows": [
        {"model": "lenet", "name": "mnist", "measured": 0.5, "verdict": "outside tolerance", "data": "some digits"}]}
    assert table.verified_cell(lenet, [("r.json", record)]) == "0.5 on some digits, outside tolerance (JAX)"
    assert table.verified_cell(lenet, []) == "not verified yet"
    readme = results.readme_table([("r.json", record)])
    [lenet_row] = [line for line in readme.splitlines() if "`build_lenet`" in line]
    assert "verified 50.00% sample, outside tolerance (JAX)" in lenet_row  # the README's brief form
    [lenet_detail] = [line for line in results.results_table([("r.json", record)]).splitlines() if "`build_lenet`" in line]
    assert "verified 50.00% on some digits, outside tolerance (JAX)" in lenet_detail
    assert "99.27% val. accuracy" in lenet_row  # the book's, from zoo.recipes
    [transfer_row] = [line for line in readme.splitlines() if "`build_vgg19_transfer`" in line]
    assert transfer_row.endswith("| not measured: no weights |")
