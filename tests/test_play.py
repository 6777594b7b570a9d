"""Trained weights put to use from the command line: --play scores them without training,
a training run starts from them, and the GAN draws from a generator's weights file."""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import SCRIPTS, load_script, parse_result, user_lines
from zoo import cli


def run_in(folder, name, *args, timeout=120):
    """``scripts/<name>`` run from ``folder``, so anything it writes to the current folder shows."""
    return subprocess.run([sys.executable, str(SCRIPTS / name), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=folder, env=os.environ.copy())


def succeeded(completed):
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = parse_result(completed.stdout)
    assert result is not None, completed.stdout[-2000:]
    assert sum(line.startswith("RESULT ") for line in completed.stdout.splitlines()) == 1, completed.stdout
    return result


def refused(completed, *fragments):
    lines = user_lines(completed.stderr)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr, completed.stderr[-2000:]
    assert len(lines) == 1, lines
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def weights_of(path):
    """The arrays in a Cart-Pole Q-network loaded from ``path``."""
    from zoo.dqn import build_cartpole_q_network

    return build_cartpole_q_network(weights=str(path)).get_weights()


# ----------------------------------------------------------------------------- Cart-Pole

def test_cartpole_plays_the_bundled_weights_above_the_solved_score_and_writes_nothing(tmp_path):
    result = succeeded(run_in(tmp_path, "train_cartpole_dqn.py", "--play", "--from", "cartpole_v0",
                              "--eval-episodes", 10, "--seed", 0, "--quiet"))
    # the card's game and width: CartPole-v0 is solved at 195 over 100 episodes
    assert result["env"] == "CartPole-v0" and result["n_dense"] == 32 and result["episodes"] == 10
    assert result["mean"] >= 195 and result["min"] <= result["mean"] <= result["max"], result
    assert {"model", "weights", "std"} <= result.keys()
    assert list(tmp_path.iterdir()) == []  # no run folder, no model_output/


def test_cartpole_play_without_weights_is_one_line(tmp_path):
    refused(run_in(tmp_path, "train_cartpole_dqn.py", "--play"), "--play needs --from NAME|PATH|RUN_DIR")
    refused(run_in(tmp_path, "train_cartpole_dqn.py", "--from", "cartpole_v0"), "--from is for --play")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("script, args, fragment", [
    # the old spellings, each refused in one line naming the new one
    ("train_cartpole_dqn.py", ["--play", "--weights", "cartpole_v0"], "--play takes the trained model with --from"),
    ("train_doom_dqn.py", ["--play", "--weights", "doom_simpler_basic"], "--play takes the trained model with --from"),
    ("train_cartpole_dqn.py", ["--play", "--from", "cartpole_v0", "--episodes-to-play", 5],
     "--episodes-to-play is now --eval-episodes"),
    ("train_doom_dqn.py", ["--test-episodes", 5], "--test-episodes is now --eval-episodes"),
    # a training flag with --play is refused, never ignored
    ("train_cartpole_dqn.py", ["--play", "--from", "cartpole_v0", "--episodes", 5], "--play trains nothing: --episodes"),
    ("train_cartpole_dqn.py", ["--play", "--from", "cartpole_v0", "--preset", "tuned"], "--preset is for training"),
    ("train_doom_dqn.py", ["--play", "--from", "doom_simpler_basic", "--steps-per-epoch", 9], "--steps-per-epoch"),
    ("train_doom_dqn.py", ["--play", "--from", "doom_simpler_basic", "--resume"], "--resume is for training"),
])
def test_dqn_flags_that_do_not_apply_are_refused_in_one_line(script, args, fragment, tmp_path):
    refused(run_in(tmp_path, script, *args), fragment)
    assert list(tmp_path.iterdir()) == []


def test_cartpole_plays_a_finished_runs_folder(tmp_path):
    out = tmp_path / "run"
    succeeded(run_in(tmp_path, "train_cartpole_dqn.py", "--weights", "cartpole_v0", "--episodes", 1, "--batch-size", 500,
                     "--replay", "batched", "--eval-episodes", 2, "--seed", 0, "--quiet", "--output-dir", out))
    result = succeeded(run_in(tmp_path, "train_cartpole_dqn.py", "--play", "--from", out, "--eval-episodes", 3,
                              "--seed", 0, "--quiet"))
    # the run's model.keras, with the game and width its state.json recorded
    assert result["weights"] == str(out / "model.keras") and result["episodes"] == 3
    assert result["env"] == "CartPole-v0" and result["mean"] >= 195


def test_cartpole_play_records_a_file_of_weights_and_never_overwrites(tmp_path):
    from zoo import pretrained

    # a path instead of a name: no card, so the book's env and width
    source = tmp_path / "mine.weights.h5"
    source.write_bytes(pretrained.resolve("cartpole_q_network", "cartpole_v0").read_bytes())
    gif = tmp_path / "episode.gif"
    result = succeeded(run_in(tmp_path, "train_cartpole_dqn.py", "--play", "--from", source,
                              "--eval-episodes", 2, "--seed", 0, "--record-to", gif.name, "--quiet"))
    assert result["env"] == "CartPole-v0" and result["mean"] >= 195 and result["record"] == gif.name
    assert gif.read_bytes()[:6] in (b"GIF87a", b"GIF89a")
    before = gif.read_bytes()
    refused(run_in(tmp_path, "train_cartpole_dqn.py", "--play", "--from", source, "--record-to", gif.name),
            "episode.gif exists", "--overwrite")
    assert gif.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["episode.gif", "mine.weights.h5"]


def test_cartpole_training_starts_from_the_given_weights(tmp_path):
    from zoo import pretrained

    out = tmp_path / "run"
    # a batch larger than one episode's transitions: no update happens, so the saved network is
    # exactly the network the run started from
    result = succeeded(run_in(tmp_path, "train_cartpole_dqn.py", "--weights", "cartpole_v0", "--episodes", 1,
                              "--batch-size", 500, "--replay", "batched", "--eval-episodes", 3, "--seed", 0,
                              "--quiet", "--output-dir", out))
    assert result["updates"] == 0
    bundled = weights_of(pretrained.resolve("cartpole_q_network", "cartpole_v0"))
    for saved, given in zip(weights_of(out / "model.keras"), bundled, strict=True):
        np.testing.assert_array_equal(saved, given)
    assert result["eval_mean_score"] >= 195  # an untrained network scores tens
    # the weights are a defining setting (a resume must give the same), the play flags are not
    settings = json.loads((out / "state.json").read_text())["settings"]
    assert settings["weights"] == "cartpole_v0"
    assert not {"play", "trained", "record_to", "typed"} & settings.keys()


# ----------------------------------------------------------------------------- Doom

needs_vizdoom = pytest.mark.skipif(importlib.util.find_spec("vizdoom") is None, reason="vizdoom is not installed")


def doom_weights(path, action):
    """A Doom Q-network that values ``action`` above the others whatever it sees, saved to ``path``."""
    from zoo.dqn import build_doom_q_network

    model = build_doom_q_network(action_size=8)
    kernel, bias = model.get_layer("q_values").get_weights()
    bias = np.zeros_like(bias)
    bias[action] = 1.0
    model.get_layer("q_values").set_weights([np.zeros_like(kernel), bias])
    model.save_weights(path)
    return path


@needs_vizdoom
@pytest.mark.parametrize("action, check", [
    (0, lambda result: result["min"] == result["max"] == -300),  # no button: the episode times out
    (5, lambda result: result["mean"] > 0),  # these buttons kill the monster in both seeded episodes
], ids=["no_button", "shooting"])
def test_doom_plays_a_weights_file(action, check, tmp_path):
    source = doom_weights(tmp_path / "mine.weights.h5", action)
    result = succeeded(run_in(tmp_path, "train_doom_dqn.py", "--play", "--from", source.name,
                              "--eval-episodes", 2, "--seed", 0, "--record-to", "doom.gif", "--quiet"))
    assert result["scenario"] == "simpler_basic" and result["episodes"] == 2 and check(result), result
    assert (tmp_path / "doom.gif").read_bytes()[:3] == b"GIF"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["doom.gif", "mine.weights.h5"]


@needs_vizdoom
def test_doom_plays_its_bundled_weights_by_name(tmp_path):
    result = succeeded(run_in(tmp_path, "train_doom_dqn.py", "--play", "--from", "doom_simpler_basic",
                              "--eval-episodes", 5, "--seed", 0, "--quiet"))
    # the card's scenario and frame repeat; an agent that never kills the monster scores -300 or less
    assert result["scenario"] == "simpler_basic" and result["frame_repeat"] == 12
    assert result["min"] > 0, result
    assert list(tmp_path.iterdir()) == []


def test_doom_play_without_weights_is_one_line(tmp_path):
    refused(run_in(tmp_path, "train_doom_dqn.py", "--play"), "--play needs --from")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- GAN

@pytest.fixture(scope="module")
def train_gan():
    """The script as a module: its refusals are checked in this process, without a TensorFlow start-up each."""
    return load_script("train_gan.py")


def refused_in_process(module, monkeypatch, capsys, *args):
    monkeypatch.setattr(sys, "argv", ["train_gan.py", *map(str, args)])
    monkeypatch.setattr(cli.signal, "signal", lambda *_: None)  # pytest keeps its own SIGTERM handling
    with pytest.raises(SystemExit) as exited:
        cli.main(module.main)
    lines = capsys.readouterr().err.strip().splitlines()
    assert exited.value.code == 2 and len(lines) == 1, lines
    return lines[0]


def test_gan_generates_from_a_weights_file_into_the_current_folder_once(tmp_path, train_gan, monkeypatch, capsys):
    from zoo.gan import build_generator

    source = tmp_path / "mine.weights.h5"
    build_generator().save_weights(source)
    result = succeeded(run_in(tmp_path, "train_gan.py", "--generate", 4, "--from", source.name, "--quiet"))
    image = tmp_path / "generated_4.png"
    assert result["image"] == "generated_4.png" and result["generated"] == 4
    assert result["generator"] == str(source.resolve())  # a path is recorded absolute
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    before = image.read_bytes()
    monkeypatch.chdir(tmp_path)
    line = refused_in_process(train_gan, monkeypatch, capsys, "--generate", 4, "--from", source.name)
    assert "generated_4.png exists" in line and "--overwrite" in line
    assert image.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["generated_4.png", "mine.weights.h5"]


@pytest.mark.parametrize("args, fragment", [
    (["--generate", 4], "--generate needs --from NAME|PATH|RUN_DIR"),
    (["--generate", 4, "--weights", "quickdraw_apple"], "--generate takes the trained model with --from"),
    (["--generate", 4, "--from", "quickdraw_apple", "--out", "x.jpg"], "expected a .png file"),
    (["--generate", 4, "--from", "quickdraw_apple", "--iterations", 5], "--generate trains nothing: --iterations"),
    (["--from", "quickdraw_apple"], "--from is for --generate N"),
    (["--weights", "x.weights.h5"], "x.weights.h5: no such file"),
    (["--generate", 4, "--from", "x.jpg"], "neither a weights name"),
    (["--generate", 4, "--from", "."], "no generator.keras there"),
])
def test_gan_generate_needs_one_source(args, fragment, tmp_path, train_gan, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert fragment in refused_in_process(train_gan, monkeypatch, capsys, *args)
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- the shared flags

def test_typed_flags_are_those_given_even_at_their_default_value():
    parser = cli.make_parser("lenet", "doc")
    args = cli.parse_args(parser, ["--epochs", "10", "--quiet"], load_backend=False)  # 10 is LeNet's default
    assert args.typed == {"epochs", "quiet"} and args.batch_size == 128
    with pytest.raises(SystemExit):
        parser.refuse_typed(args, {"quiet"}, "--play trains nothing")


def test_from_takes_a_name_a_weights_file_or_a_runs_folder(tmp_path):
    import argparse

    check = cli.trained_source()
    weights_file = tmp_path / "mine.weights.h5"
    weights_file.write_bytes(b"")
    assert check("cartpole_v0") == "cartpole_v0"
    assert check(str(weights_file)) == str(weights_file) and check(str(tmp_path)) == str(tmp_path)
    for text, message in (("x.jpg", "neither a weights name"), (str(tmp_path / "gone.keras"), "no such file")):
        with pytest.raises(argparse.ArgumentTypeError, match=message):
            check(text)
    assert cli.trained_file("cartpole_v0", "model.keras") == "cartpole_v0"
    with pytest.raises(cli.UsageError, match="no model.keras there; it is not a finished run's folder"):
        cli.trained_file(str(tmp_path), "model.keras")
    (tmp_path / "model.keras").write_bytes(b"")
    assert cli.trained_file(str(tmp_path), "model.keras") == str(tmp_path / "model.keras")
