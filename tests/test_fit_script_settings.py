"""The photo, sentiment and GAN scripts' settings (issue 24): a frozen dataclass each, and every
renamed flag refused in one line, exit status 2, naming the flag that replaced it. In process
and without a backend: cheap."""

import dataclasses

import pytest

from conftest import load_script, script_settings

SCRIPTS = ("train_alexnet.py", "train_vggnet.py", "train_vgg19_transfer.py", "train_sentiment.py", "train_gan.py")

# each renamed flag, an argument for it, and the flag its refusal must name
RENAMED = [
    ("train_vgg19_transfer.py", ["--weights", "imagenet"], "--base-weights"),
    ("train_vgg19_transfer.py", ["--fine-tune-epochs", "5"], "--epochs N (epochs in all; fine-tuning takes those "
                                                             "after --head-epochs)"),
    ("train_gan.py", ["--epochs", "20"], "--iterations N (the GAN's training iterations)"),
    ("train_gan.py", ["--checkpoint-every", "2"], "--sample-interval N"),
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_settings_are_a_frozen_dataclass(script):
    """No code can assign to a script's parsed settings: assignment raises FrozenInstanceError."""
    settings = script_settings(script, [], load_backend=False)
    assert dataclasses.is_dataclass(settings) and type(settings).__dataclass_params__.frozen
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.seed = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(settings, "output_dir", "elsewhere")


@pytest.mark.parametrize("script, argv, new", RENAMED)
def test_a_renamed_flag_is_refused_in_one_line_naming_the_new_one(script, argv, new, capsys):
    with pytest.raises(SystemExit) as exited:
        script_settings(script, argv, load_backend=False)
    lines = capsys.readouterr().err.strip().splitlines()
    assert exited.value.code == 2 and len(lines) == 1, lines
    assert f"error: {argv[0]} is now " in lines[0] and new in lines[0]


def test_every_renamed_flag_is_tested():
    """The table above covers each script's Settings.renamed, so a new rename cannot go untested."""
    declared = {(script, old) for script in SCRIPTS for old in load_script(script).Settings.renamed}
    assert declared == {(script, argv[0]) for script, argv, _ in RENAMED}



@pytest.mark.parametrize("script", SCRIPTS)
def test_no_code_assigns_to_the_settings(script):
    """The script never assigns to an attribute of its settings, nor calls setattr: resolved values
    make new settings with dataclasses.replace."""
    import ast

    from conftest import SCRIPTS as FOLDER

    tree = ast.parse((FOLDER / script).read_text(encoding="utf-8"))
    assigned = [node for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign))
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                and target.value.id in ("settings", "args")]
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Name) and node.func.id == "setattr"]
    assert assigned == [] and calls == [], [ast.unparse(node) for node in assigned + calls]
