"""Trained weights put to use from the command line: `dli-zoo play` scores an agent without training
and `dli-zoo generate` draws from a generator; a training run starts from trained weights; the
scripts' old use-a-model modes are refused in one line naming the dli-zoo command."""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import SCRIPTS, parse_result, user_lines
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


def weights_of(path, n_dense=32):
    """The arrays in a Cart-Pole Q-network ``n_dense`` wide loaded from ``path``."""
    from zoo.dqn import build_cartpole_q_network

    return build_cartpole_q_network(n_dense=n_dense, weights=str(path)).get_weights()



# ----------------------------------------------------------------------------- Cart-Pole

def test_cartpole_plays_the_bundled_weights_above_the_solved_score_and_writes_nothing(here, dli_zoo):
    result = dli_zoo("play", "cartpole_v0", "--episodes", 10, "--seed", 0, "--quiet").ok()
    # the card's game and width: CartPole-v0 is solved at 195 over 100 episodes
    assert result["env"] == "CartPole-v0" and result["n_dense"] == 32 and result["episodes"] == 10
    assert result["mean"] >= 195 and result["min"] <= result["mean"] <= result["max"], result
    assert result["model"] == "cartpole_q_network" and result["weights"] == "cartpole_q_network/cartpole_v0"
    assert list(here.iterdir()) == []  # no run folder, no model_output/


@pytest.mark.parametrize("args, fragment", [
    (["lenet/mnist"], "lenet/mnist holds lenet weights; `dli-zoo play` uses cartpole_q_network or doom_q_network"),
    (["mnist"], "'mnist' names deep_net/mnist, intermediate_net/mnist, lenet/mnist"),
    (["cartpole_v0", "--scenario", "basic"], "--scenario is for Doom; cartpole_q_network/cartpole_v0 is a "
                                             "cartpole_q_network"),
    (["doom_simpler_basic", "--env", "CartPole-v1"], "--env is for Cart-Pole"),
    (["cartpole_v0", "--record", "x.png"], "--record x.png: expected a .gif/.mp4 file"),
    (["cartpole_v0", "--episodes", 0], "0 is not a positive integer"),
    (["nosuch"], "no weights are named 'nosuch'; those `dli-zoo play` can use: cartpole_q_network/cartpole_v0"),
])
def test_play_refuses_what_it_cannot_use_in_one_line(args, fragment, here, dli_zoo):
    dli_zoo("play", *args).refused(fragment)
    assert list(here.iterdir()) == []


@pytest.mark.parametrize("script, args, command", [
    # the scripts' old modes, each refused in one line naming the command, before any backend loads
    ("train_cartpole_dqn.py", ["--play", "--from", "cartpole_v0", "--episodes", 5], "`dli-zoo play "),
    ("train_doom_dqn.py", ["--from", "doom_simpler_basic"], "`dli-zoo play "),
    ("train_cartpole_dqn.py", ["--record-to", "x.gif"], "`dli-zoo play "),
    ("train_doom_dqn.py", ["--episodes-to-play", 5], "`dli-zoo play "),
    ("train_gan.py", ["--generate", 4, "--from", "quickdraw_apple"], "`dli-zoo generate "),
    ("train_sentiment.py", ["--from", "imdb", "--arch", "conv", "--predict", "A fine film."], "`dli-zoo predict "),
    ("train_sentiment.py", ["--predict-file", "-"], "`dli-zoo predict "),
    ("train_word2vec.py", ["--from", "gutenberg", "--most-similar", "father"], "`dli-zoo similar "),
])
def test_the_scripts_old_modes_name_the_dli_zoo_command(script, args, command, tmp_path):
    line = refused(run_in(tmp_path, script, *args), command, "this script only trains")
    assert line.startswith(f"{script}: error: {args[0]}: ")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("script, args, fragment", [
    ("train_cartpole_dqn.py", ["--record"], "train_cartpole_dqn.py: error: --record is now --gif"),
    ("train_doom_dqn.py", ["--eval-episodes", 5],
     "train_doom_dqn.py: error: --eval-episodes is now --test-episodes"),
])
def test_renamed_dqn_flags_are_refused_in_one_line(script, args, fragment, tmp_path):
    """A renamed flag on the command line: one line naming the new one, exit status 2, nothing written."""
    refused(run_in(tmp_path, script, *args), fragment)
    assert list(tmp_path.iterdir()) == []


def test_cartpole_plays_a_finished_runs_folder(tmp_path, here, dli_zoo):
    out = tmp_path / "run"
    succeeded(run_in(tmp_path, "train_cartpole_dqn.py", "--weights", "cartpole_v0", "--episodes", 1, "--batch-size", 500,
                     "--replay", "batched", "--eval-episodes", 2, "--seed", 0, "--quiet", "--output-dir", out))
    result = dli_zoo("play", out, "--episodes", 3, "--seed", 0, "--quiet").ok()
    # the run's model.keras, with the game and width its state.json recorded
    assert result["weights"] == str(out / "model.keras") and result["episodes"] == 3
    assert result["env"] == "CartPole-v0" and result["mean"] >= 195


def test_cartpole_play_records_a_file_of_weights_and_never_overwrites(tmp_path, here, dli_zoo):
    from zoo import pretrained

    # a path instead of a name: no card, so the book's env and width (and --model: its name says no model)
    source = here / "mine.weights.h5"
    source.write_bytes(pretrained.resolve("cartpole_q_network", "cartpole_v0").read_bytes())
    dli_zoo("play", source.name).refused("cannot tell which model's weights it holds; pass --model")
    result = dli_zoo("play", source.name, "--model", "cartpole_q_network", "--episodes", 2, "--seed", 0,
                     "--record", "episode.gif", "--quiet").ok()
    gif = here / "episode.gif"
    assert result["env"] == "CartPole-v0" and result["mean"] >= 195 and result["record"] == gif.name
    assert result["weights"] == str(source) and result["from"] == source.name
    assert gif.read_bytes()[:6] in (b"GIF87a", b"GIF89a")
    before = gif.read_bytes()
    dli_zoo("play", source.name, "--model", "cartpole_q_network", "--record", gif.name).refused(
        "episode.gif exists", "--overwrite")
    assert gif.read_bytes() == before
    assert sorted(path.name for path in here.iterdir()) == ["episode.gif", "mine.weights.h5"]


def test_cartpole_training_starts_from_the_given_weights(tmp_path):
    """--weights cartpole_v1 under the book's preset: the run takes their width (64, the tuned preset's,
    not the book's 32), records it, and starts from exactly those weights."""
    from zoo import pretrained

    out = tmp_path / "run"
    # a batch larger than one episode's transitions: no update happens, so the saved network is
    # exactly the network the run started from
    result = succeeded(run_in(tmp_path, "train_cartpole_dqn.py", "--weights", "cartpole_v1", "--episodes", 1,
                              "--batch-size", 500, "--replay", "batched", "--eval-episodes", 3, "--seed", 0,
                              "--quiet", "--output-dir", out))
    assert result["updates"] == 0
    bundled = weights_of(pretrained.resolve("cartpole_q_network", "cartpole_v1"), n_dense=64)
    for saved, given in zip(weights_of(out / "model.keras", n_dense=64), bundled, strict=True):
        np.testing.assert_array_equal(saved, given)
    assert result["eval_mean_score"] >= 195  # an untrained network scores tens
    # the weights are a defining setting (a resume must give the same), the play flags are not
    settings = json.loads((out / "state.json").read_text())["settings"]
    assert settings["weights"] == "cartpole_v1" and settings["n_dense"] == 64 and settings["preset"] == "book"
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
def test_doom_plays_a_weights_file(action, check, here, dli_zoo):
    source = doom_weights(here / "mine.weights.h5", action)
    result = dli_zoo("play", source.name, "--model", "doom_q_network", "--episodes", 2, "--seed", 0,
                     "--record", "doom.gif", "--quiet").ok()
    assert result["scenario"] == "simpler_basic" and result["episodes"] == 2 and check(result), result
    assert (here / "doom.gif").read_bytes()[:3] == b"GIF"
    assert sorted(path.name for path in here.iterdir()) == ["doom.gif", "mine.weights.h5"]


@needs_vizdoom
def test_doom_plays_its_bundled_weights_by_name(here, dli_zoo):
    result = dli_zoo("play", "doom_simpler_basic", "--episodes", 5, "--seed", 0, "--quiet").ok()
    # the card's scenario and frame repeat; an agent that never kills the monster scores -300 or less
    assert result["scenario"] == "simpler_basic" and result["frame_repeat"] == 12
    assert result["min"] > 0, result
    assert list(here.iterdir()) == []


# ----------------------------------------------------------------------------- GAN

def test_gan_generates_from_a_weights_file_once(here, dli_zoo):
    from zoo.gan import build_generator

    source = here / "mine.weights.h5"
    build_generator().save_weights(source)
    result = dli_zoo("generate", source.name, "--count", 4, "--out", "four.png", "--quiet").ok()
    image = here / "four.png"
    assert result["image"] == "four.png" and result["generated"] == 4 and result["model"] == "generator"
    assert result["weights"] == str(source.resolve())  # a path is recorded absolute
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    before = image.read_bytes()
    dli_zoo("generate", source.name, "--out", "four.png").refused("four.png exists", "--overwrite")
    assert image.read_bytes() == before
    assert sorted(path.name for path in here.iterdir()) == ["four.png", "mine.weights.h5"]


@pytest.mark.parametrize("args, fragment", [
    (["quickdraw_apple"], "the following arguments are required: --out"),
    (["quickdraw_apple", "--out", "x.jpg"], "expected a .png file"),
    (["cartpole_v0", "--out", "x.png"], "'cartpole_v0' names cartpole_q_network/cartpole_v0 weights; "
                                        "`dli-zoo generate` uses generator"),
    (["x.jpg", "--out", "x.png"], "x.jpg: no such file or folder; give MODEL/NAME"),
    # a run's folder before the run: no word of what model it holds
    (["model_output/gan", "--out", "x.png"], "model_output/gan: no such file or folder; give MODEL/NAME (lenet/mnist) "
                                             "or a NAME only one model has (dli-zoo list), a weights file, or a "
                                             "finished run's folder"),
    (["gone/generator.keras", "--out", "x.png"], "gone/generator.keras: no such file or folder"),
    ([".", "--out", "x.png"], "no state.json there says what the run trained"),
])
def test_gan_generate_needs_one_source(args, fragment, here, dli_zoo):
    dli_zoo("generate", *args).refused(fragment)
    assert list(here.iterdir()) == []


def test_gan_generate_refuses_a_model_that_draws_no_images(here, dli_zoo):
    """A .keras file that is no generator (here a classifier: a vector in, one score out) is one
    line and exit status 2, before anything is drawn or written."""
    import keras

    classifier = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1, activation="sigmoid")])
    classifier.save(here / "model.keras")
    dli_zoo("generate", "model.keras", "--out", "q.png").refused(
        "model.keras is no image generator: it maps (None, 8) to (None, 1); `dli-zoo generate` needs noise vectors")
    assert sorted(path.name for path in here.iterdir()) == ["model.keras"]


# ----------------------------------------------------------------------------- the shared flags

def test_typed_flags_are_those_given_even_at_their_default_value():
    """A command knows which flags were typed, even at their default value (so it can refuse them)."""
    parser = cli.ArgumentParser()
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--seed", type=int, default=None)
    args = cli.parse_args(parser, ["--count", "10", "--quiet"], load_backend=False)
    assert args.typed == {"count", "quiet"} and args.seed is None


def test_one_function_resolves_names_files_and_run_folders(tmp_path):
    from zoo.commands import sources

    named = sources.resolve("cartpole_v0", ("cartpole_q_network", "doom_q_network"), "play")
    assert (named.model, named.weights, str(named.entry)) == ("cartpole_q_network", "cartpole_v0",
                                                              "cartpole_q_network/cartpole_v0")
    assert named.settings["env"] == "CartPole-v0"  # the card's hyperparameters
    assert sources.resolve("conv_sentiment/imdb", ("conv_sentiment", "dense_sentiment"), "predict").weights == "imdb"
    # a run's folder: its state.json names the model, the run file is what loads
    run = tmp_path / "run"
    run.mkdir()
    (run / "state.json").write_text(json.dumps({"model": "gan", "settings": {"seed": 3}}))
    with pytest.raises(cli.UsageError, match="no generator.keras there; it is not a finished run's folder"):
        sources.resolve(str(run), ("generator",), "generate")
    (run / "generator.keras").write_bytes(b"")
    folder = sources.resolve(str(run), ("generator",), "generate")
    assert (folder.model, folder.weights, folder.settings) == ("generator", str(run / "generator.keras"), {"seed": 3})
    # a file in a run's folder takes the run's model; an export's name says its own
    export = tmp_path / "lenet.digits.weights.h5"
    export.write_bytes(b"")
    assert sources.resolve(str(export), ("lenet", "deep_net"), "predict").model == "lenet"
    for given, models, doing, message in (
            ("imdb", ("conv_sentiment", "dense_sentiment"), "predict", "'imdb' names weights of 2 models"),
            ("lenet/mnist", ("generator",), "generate", "lenet/mnist holds lenet weights; `dli-zoo generate` uses generator"),
            ("lenet/nosuch", ("lenet",), "predict", "lenet has no weights named 'nosuch'"),
            (str(tmp_path / "gone.keras"), ("lenet",), "predict", "no such file or folder"),
            (str(run / "state.json"), ("generator",), "generate", "`dli-zoo generate` reads .weights.h5, .keras files")):
        with pytest.raises(cli.UsageError, match=message):
            sources.resolve(given, models, doing)
