"""The settings of the Cart-Pole, Doom and word2vec scripts: each a frozen dataclass made from the
command line (no backend loaded), their presets instances of it, the values a script resolves
filled in with ``dataclasses.replace``, and each renamed flag refused in one line naming the new one."""

import dataclasses

import pytest

from conftest import load_script, script_settings
from zoo import config, recipes

SCRIPTS = ("train_cartpole_dqn.py", "train_doom_dqn.py", "train_word2vec.py")


@pytest.mark.parametrize("name", SCRIPTS)
def test_the_settings_are_a_frozen_dataclass(name):
    settings = script_settings(name, ["--seed", "3"], load_backend=False)
    assert dataclasses.is_dataclass(settings) and type(settings).__name__ == "Settings"
    assert settings.seed == 3 and settings.output_dir.endswith(type(settings).model)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.seed = 4
    assert dataclasses.replace(settings, seed=4).seed == 4 and settings.seed == 3


@pytest.mark.parametrize("name, argv, line", [
    ("train_cartpole_dqn.py", ["--record"], "error: --record is now --gif (save greedy_episode.gif in the run folder)"),
    ("train_doom_dqn.py", ["--record"], "error: --record is now --gif (save greedy_episode.gif in the run folder)"),
    ("train_doom_dqn.py", ["--eval-episodes", "3"],
     "error: --eval-episodes is now --test-episodes N (greedy test episodes after every epoch)"),
    ("train_word2vec.py", ["--epochs", "3"], "error: --epochs is now --passes N (gensim's passes over the corpus)"),
    ("train_word2vec.py", ["--doesnt-match", "a b c"], "error: --doesnt-match is now --odd-one-out"),
    # the map's flags, spelled as dli-zoo map's
    ("train_word2vec.py", ["--tsne-tokens", "60"], "error: --tsne-tokens is now --map-words N"),
    ("train_word2vec.py", ["--map", "book"], "error: --map is now --map-style {readable,book}"),
    ("train_cartpole_dqn.py", ["--episodes-to-play", "3"], "error: --episodes-to-play: playing a trained agent is "
                                                           "`dli-zoo play "),
])
def test_a_renamed_flag_is_refused_in_one_line_naming_the_new_one(name, argv, line, capsys):
    with pytest.raises(SystemExit) as exited:
        script_settings(name, argv, load_backend=False)
    [said] = capsys.readouterr().err.strip().splitlines()
    assert exited.value.code == 2 and line in said, said


@pytest.mark.parametrize("name, argv, flag", [
    ("train_cartpole_dqn.py", ["--gif"], "gif"),
    ("train_doom_dqn.py", ["--test-episodes", "3", "--gif"], "test_episodes"),
    ("train_word2vec.py", ["--passes", "2", "--odd-one-out", "a", "b", "c"], "passes"),
    ("train_word2vec.py", ["--map-words", "60", "--map-style", "book"], "map_words"),
    ("train_word2vec.py", ["--map-style", "book", "--map-labels", "9"], "map_style"),
])
def test_the_new_spellings_set_their_settings(name, argv, flag):
    settings = script_settings(name, argv, load_backend=False)
    assert getattr(settings, flag) == {"gif": True, "test_episodes": 3, "passes": 2, "map_words": 60,
                                       "map_style": "book"}[flag]


def test_cartpole_presets_are_settings_made_from_the_recipe():
    module = load_script("train_cartpole_dqn.py")
    recipe = recipes.get("cartpole_q_network")
    for name, preset in recipe.presets.items():
        settings = module.Settings.preset_settings(name)
        assert isinstance(settings, module.Settings) and settings.preset == name
        assert (settings.episodes, settings.n_dense, settings.batch_size, settings.replay, settings.learning_rate,
                settings.target_update_period, settings.train_every_step) == (
            preset.episodes, preset.n_dense, preset.batch_size, preset.replay, preset.learning_rate,
            preset.target_update_period, preset.train_every_step)
    assert module.Settings.preset_settings("tuned").n_dense == 64 != module.Settings.preset_settings("book").n_dense


def test_cartpole_resolves_what_the_command_line_leaves_to_the_preset_and_the_weights():
    module = load_script("train_cartpole_dqn.py")

    def parsed(*argv):
        return config.parse(module.Settings, argv=list(argv), load_backend=False)

    book = parsed()
    assert (book.env, book.n_dense, book.batch_size) == ("CartPole-v0", None, None)  # as typed: nothing
    resolved = book.resolved({}, max_steps=200)
    assert resolved == dataclasses.replace(module.Settings.preset_settings("book"), output_dir=book.output_dir)
    # tuned stops at the game's step limit; a flag given wins over the preset
    tuned = parsed("--preset", "tuned", "--batch-size", "16").resolved({}, max_steps=500)
    assert (tuned.stop_at, tuned.batch_size, tuned.n_dense, tuned.train_every_step) == (500, 16, 64, True)
    # --weights: their own width (a tuned run's 64 under the book's preset), unless --n-dense gives one
    assert book.resolved({"n_dense": 64}, 200).n_dense == 64
    assert book.resolved({"recipe": {"n_dense": 64}}, 200).n_dense == 64
    assert parsed("--n-dense", "8").resolved({"n_dense": 64}, 200).n_dense == 8


def test_the_doom_preset_is_the_default_settings_from_the_recipe():
    module = load_script("train_doom_dqn.py")
    recipe = recipes.get("doom_q_network")
    preset = module.Settings()
    assert (preset.scenario, preset.epochs, preset.steps_per_epoch, preset.test_episodes, preset.frame_repeat,
            preset.batch_size, preset.learning_rate) == (
        recipe.env, recipe.epochs, recipe.steps_per_epoch, recipe.test_episodes, recipe.frame_repeat,
        recipe.batch_size, recipe.agent["learning_rate"])


@pytest.mark.parametrize("name, changeable", [
    ("train_cartpole_dqn.py", {"device", "episodes", "eval_episodes", "gif"}),
    ("train_doom_dqn.py", {"device", "epochs", "gif"}),
    # the queries define the run: other questions to its vectors are dli-zoo similar's
    ("train_word2vec.py", {"data_dir", "map_style", "plot_tokens", "map_labels"}),
])
def test_what_a_resume_may_change_is_marked_on_the_settings(name, changeable):
    settings = script_settings(name, [], load_backend=False)
    run_only = {"output_dir", "resume", "overwrite", "quiet", "verbose"}
    assert set(settings.changeable()) == changeable | run_only
    assert not (changeable | run_only) & settings.defining().keys()
