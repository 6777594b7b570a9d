"""Each script's settings are one frozen dataclass (zoo.config): the command line is made from its
fields, nothing assigns to them, a resumed run compares only the settings that define it, and a
renamed flag is refused in one line naming the new one."""

import ast
import dataclasses
import json
import subprocess
import sys
from dataclasses import dataclass
from typing import ClassVar

import pytest

from conftest import ROOT, SCRIPTS, load_script, script_settings, user_lines
from zoo import config

SCRIPT_FILES = sorted(path.name for path in SCRIPTS.glob("*.py") if not path.name.startswith("_"))
TRAINING_SCRIPTS = [name for name in SCRIPT_FILES if name.startswith("train_")]


@dataclass(frozen=True)
class Toy(config.Run):
    model: ClassVar[str] = "toy"
    renamed: ClassVar[dict] = {"--old-width": "--width N (units of the hidden layer)"}
    width: int = config.setting(8, "units of the hidden layer", parse=int)
    report: int = config.setting(3, "examples to show", parse=int, on_resume=True)
    words: tuple = config.setting(None, "a query, again for more", action="append", nargs=2)


@pytest.mark.parametrize("script", TRAINING_SCRIPTS)
def test_each_training_script_declares_frozen_settings(script):
    """The settings are a frozen dataclass of zoo.config: a script cannot change them once parsed."""
    settings_class = load_script(script).Settings
    assert dataclasses.is_dataclass(settings_class) and issubclass(settings_class, config.Settings)
    settings = config.parse(settings_class, argv=[], load_backend=False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.seed = 1


PARSED = ("args", "settings", "parsed")  # the names parsed settings and arguments go by


def assignments_to_settings(tree) -> list[str]:
    """Every `x.attr = ...`, `x.attr += ...` and `setattr(x, ...)` whose x is parsed settings or arguments."""
    found = []
    for node in ast.walk(tree):
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
        for target in targets:
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                    and target.value.id in PARSED:
                found.append(f"line {node.lineno}: {target.value.id}.{target.attr} = ...")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr" \
                and isinstance(node.args[0], ast.Name) and node.args[0].id in PARSED:
            found.append(f"line {node.lineno}: setattr({node.args[0].id}, ...)")
    return found


@pytest.mark.parametrize("script", SCRIPT_FILES)
def test_no_script_assigns_to_its_parsed_settings(script):
    """Resolved values make new settings (dataclasses.replace), never an edit of the parsed ones."""
    assert assignments_to_settings(ast.parse((SCRIPTS / script).read_text())) == []


def test_no_module_of_the_package_assigns_to_parsed_arguments():
    """zoo.cli's parsing (``typed``, ``flags``) and the dli-zoo commands make a new Namespace for a
    value they add; no module of zoo or zoo.datasets edits parsed arguments or settings."""
    found = {str(path.relative_to(ROOT)): assignments_to_settings(ast.parse(path.read_text(encoding="utf-8")))
             for folder in ("zoo", "datasets") for path in sorted((ROOT / folder).rglob("*.py"))}
    assert len(found) > 50 and "zoo/cli.py" in found and "zoo/commands/generate.py" in found
    assert {path: lines for path, lines in found.items() if lines} == {}


def test_the_check_finds_an_assignment():
    assert sorted(assignments_to_settings(ast.parse("args.n_dense = 3\nsetattr(settings, 'x', 1)\nparsed.typed = set()"))) == [
        "line 1: args.n_dense = ...", "line 2: setattr(settings, ...)", "line 3: parsed.typed = ..."]


def test_parsed_arguments_carry_what_was_typed_and_each_flag():
    from zoo import cli

    parser = cli.ArgumentParser(prog="toy")
    parser.add_argument("--width", type=int, default=8)
    parser.add_argument("--quiet", action="store_true")
    args = cli.parse_args(parser, ["--width", "16"], load_backend=False)
    assert (args.width, args.quiet, args.typed) == (16, False, {"width"})
    assert args.flags["width"] == "--width" and args.flags["quiet"] == "--quiet"


def test_the_command_line_is_made_from_the_fields():
    settings = config.parse(Toy, argv=["--width", "16", "--words", "a", "b", "--words", "c", "d"], load_backend=False)
    assert settings.width == 16 and settings.words == (("a", "b"), ("c", "d"))  # lists frozen as tuples
    assert settings.output_dir == "model_output/toy" and settings.report == 3
    assert Toy.flag("output_dir") == "--output-dir"
    # the settings a resumed run may change say so in their field; the rest define the run
    assert "report" in Toy.changeable() and "width" not in Toy.changeable()
    assert "width" in settings.defining() and "report" not in settings.defining()
    assert "--resume" in config.make_parser(Toy).format_help()


def test_a_renamed_flag_is_refused_in_one_line_naming_the_new_one(capsys):
    with pytest.raises(SystemExit) as exited:
        config.parse(Toy, argv=["--old-width", "3"], load_backend=False)
    assert exited.value.code == 2
    assert user_lines(capsys.readouterr().err) == [
        f"{config.make_parser(Toy).prog}: error: --old-width is now --width N (units of the hidden layer)"]


def test_a_run_records_the_settings_it_ran_with(tmp_path):
    """state.json holds the whole configuration of the segment, and the defining settings apart."""
    completed = subprocess.run([sys.executable, str(SCRIPTS / "train_regression.py"), "--data", "sample",
                                "--epochs", "1", "--output-dir", str(tmp_path / "run"), "--quiet"],
                               capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    state = json.loads((tmp_path / "run" / "state.json").read_text())
    assert state["config"]["epochs"] == 1 and state["config"]["quiet"] is True
    assert state["config"]["output_dir"] == str(tmp_path / "run")
    assert "epochs" not in state["settings"] and state["settings"]["batch_size"] == 8

    # scripts/record_run.py makes the docs' record of it: its data by SHA-256, no local path
    recorded = subprocess.run([sys.executable, str(SCRIPTS / "record_run.py"), str(tmp_path / "run"),
                               str(tmp_path / "record.json"), "--load", "idle"], capture_output=True, text=True,
                              cwd=ROOT, timeout=120)
    assert recorded.returncode == 0, recorded.stderr[-2000:]
    record = json.loads((tmp_path / "record.json").read_text())
    assert record["command"].startswith("python scripts/train_regression.py") and "model_output/run" in record["command"]
    assert str(tmp_path) not in json.dumps(record) and len(record["data"]["sha256"]) == 64
    assert record["result"]["epochs"] == 1 and record["wall_time_s"] == state["wall_time_s"]


def test_script_settings_match_what_the_script_parses():
    settings = script_settings("train_lenet.py", ["--epochs", "2"], load_backend=False)
    assert (settings.epochs, settings.batch_size, settings.dataset) == (2, 128, "mnist")


def test_the_flag_table_in_the_docs_is_the_one_the_parsers_give():
    """docs/training.md's table of flags is current: every flag of every training script and
    dli-zoo command, with its one meaning and where it applies (python scripts/flag_table.py)."""
    assert load_script("flag_table.py").main(["--check"]) == 0


def test_a_flag_without_a_written_meaning_stops_the_table(monkeypatch):
    flag_table = load_script("flag_table.py")
    monkeypatch.delitem(flag_table.MEANINGS, "--seed")
    with pytest.raises(SystemExit, match="no meaning for --seed"):
        flag_table.table()


def test_a_shortened_flag_is_refused_not_taken_for_a_longer_one(capsys):
    """--out is not --output-dir: argparse's abbreviations would give a flag a second meaning."""
    with pytest.raises(SystemExit) as exited:
        config.parse(Toy, argv=["--out", "z.keras"], load_backend=False)
    assert exited.value.code == 2 and "unrecognized arguments: --out" in capsys.readouterr().err
