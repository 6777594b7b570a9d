"""The recipes: the parameter counts (the book's printed ones, or labelled the zoo's own; pinned
once here), the builders agree with them, the agents' settings, the GAN's optimizer, and
docs/book_reference.md generated from them."""

import subprocess
import sys

import keras
import pytest

import zoo
from conftest import ROOT
from zoo import book_reference, recipes
from zoo.recipes import AgentRecipe, Recipe, Reference

# The totals the book's notebooks print in their executed model.summary(), per recipe and network:
# the one literal copy, so a changed figure in zoo.recipes cannot go unnoticed. The GRU's is Keras 2's
# GRU (reset_after=False); Keras 3's default GRU would have 887,553.
BOOK_PRINTED = {
    "shallow_net": {"shallow_net": 50_890},
    "intermediate_net": {"intermediate_net": 55_050},
    "deep_net": {"deep_net": 59_978},
    "regression_net": {"regression_net": 1_185},
    "lenet": {"lenet": 1_199_882},
    "alexnet": {"alexnet": 21_883_153},
    "vggnet": {"vggnet": 33_672_785},
    "dense_sentiment": {"dense_sentiment": 729_729},
    "conv_sentiment": {"conv_sentiment": 435_457},
    "rnn_sentiment": {"rnn_sentiment": 722_433},
    "lstm_sentiment": {"lstm_sentiment": 968_961},
    "bilstm_sentiment": {"bilstm_sentiment": 1_297_921},
    "stacked_bilstm_sentiment": {"stacked_bilstm_sentiment": 804_993},
    "conv_lstm_sentiment": {"conv_lstm_sentiment": 718_529},
    "gru_sentiment": {"gru_sentiment": 886_785},
    "multi_convnet_sentiment": {"multi_convnet_sentiment": 681_601},
    "gan": {"discriminator": 4_311_553, "generator": 183_713},
}
# Networks whose summary the book never prints (VGG19 transfer, the Cart-Pole Q-network) or that are
# beyond the book (Doom): the zoo's own counts of its rebuild, labelled so in the recipes and the docs.
ZOO_COUNTED = {
    "vgg19_transfer": {"vgg19_transfer": 20_074_562},
    "cartpole_q_network": {"cartpole_q_network": 1_282},
    "doom_q_network": {"doom_q_network": 26_616},
}
ZOO_TRAINABLE = {"vgg19_transfer": {"vgg19_transfer": 50_178}}  # only the new top; VGG19 stays frozen
# (episodes, n_dense, parameters) of each preset
CARTPOLE_PRESETS = {"book": (1000, 32, 1_282), "tuned": (600, 64, 4_610)}

# Builders whose counts tests/test_builders.py and tests/test_sentiment.py compare with the recipes.
CHECKED_ELSEWHERE = {"shallow_net", "intermediate_net", "deep_net", "regression_net", "lenet",
                     *(name for name, recipe in recipes.RECIPES.items() if recipe.chapter == 11)}
# The rest, checked here: builder keyword arguments that keep the test offline.
BUILD_OFFLINE = {"alexnet": {}, "vggnet": {}, "vgg19_transfer": {"weights": None}, "discriminator": {},
                 "generator": {}, "cartpole_q_network": {}, "doom_q_network": {}}


def test_the_counts_are_the_books_printed_totals_and_the_rest_are_labelled_the_zoos():
    """Every recipe's count is one the book's notebooks print, or is marked as the zoo's own (and the
    generated book reference says so); the builders are held to these counts below and in
    test_builders.py / test_sentiment.py."""
    assert {name: recipe.parameters for name, recipe in recipes.RECIPES.items()} == {**BOOK_PRINTED, **ZOO_COUNTED}
    assert {name for name, recipe in recipes.RECIPES.items() if recipe.counted_by == "book"} == set(BOOK_PRINTED)
    assert {name for name, recipe in recipes.RECIPES.items() if recipe.counted_by == "zoo"} == set(ZOO_COUNTED)
    reference = book_reference.reference_table()
    for name in ZOO_COUNTED:
        section = reference.split(f"\n## {name}\n")[1].split("\n## ")[0]
        assert "the zoo's count (the book prints none)" in section, name
    assert reference.count("the zoo's count") == 2 * len(ZOO_COUNTED)  # its table row and its section


def test_the_gru_is_the_books_and_keras_3s_form_is_one_argument_away():
    """The book's Keras 2 GRU put the reset gate before the recurrent matrix (reset_after=False);
    cuDNN's form (reset_after=True) keeps a second recurrent bias."""
    assert zoo.build_gru_sentiment().count_params() == 886_785
    assert zoo.build_gru_sentiment().get_layer("gru").reset_after is False
    assert zoo.build_gru_sentiment(reset_after=True).count_params() == 887_553
    with pytest.raises(ValueError):  # the bundled imdb weights are the book's form: they do not fit cuDNN's
        zoo.build_gru_sentiment(reset_after=True, weights="imdb")
    assert zoo.build_gru_sentiment(weights="imdb").count_params() == 886_785
    keras.backend.clear_session()


def test_vgg19s_trainable_count_and_the_cartpole_presets_are_pinned():
    assert {name: recipe.trainable_parameters for name, recipe in recipes.RECIPES.items()
            if getattr(recipe, "trainable_parameters", None)} == ZOO_TRAINABLE
    presets = recipes.get("cartpole_q_network").presets
    assert {name: (p.episodes, p.n_dense, p.parameters) for name, p in presets.items()} == CARTPOLE_PRESETS


def test_every_network_of_every_recipe_is_checked_against_its_builder():
    networks = {network for recipe in recipes.RECIPES.values() for network in recipe.parameters}
    assert networks == CHECKED_ELSEWHERE | set(BUILD_OFFLINE)
    assert networks <= set(zoo.names())


@pytest.mark.parametrize("network", list(BUILD_OFFLINE))
def test_builders_have_the_recipes_parameter_counts(network):
    recipe = next(r for r in recipes.RECIPES.values() if network in r.parameters)
    model = zoo.get(network)(**BUILD_OFFLINE[network])
    assert model.count_params() == recipe.parameters[network]
    trainable = getattr(recipe, "trainable_parameters", {}).get(network)
    if trainable is not None:
        assert sum(int(w.numpy().size) for w in model.trainable_weights) == trainable
    keras.backend.clear_session()


@pytest.mark.parametrize("preset", list(CARTPOLE_PRESETS))
def test_cartpole_presets_widths_have_their_parameter_counts(preset):
    settings = recipes.get("cartpole_q_network").presets[preset]
    assert zoo.get("cartpole_q_network")(n_dense=settings.n_dense).count_params() == settings.parameters


def test_an_int_count_is_the_recipes_own_model():
    recipe = Recipe("lenet", "mse", lambda: None, epochs=1, batch_size=1, parameters=7)
    assert recipe.parameters == {"lenet": 7} and recipe.trainable_parameters == {}
    agent = AgentRecipe("doom_q_network", env="basic", parameters={"doom_q_network": 3})
    assert agent.parameters == {"doom_q_network": 3}


def test_importing_the_recipes_loads_neither_keras_nor_tensorflow():
    code = "import sys, zoo.recipes; print(sorted({'keras', 'tensorflow'} & set(sys.modules)))"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert completed.stdout.strip() == "[]"


def test_unknown_recipe_names_the_choices():
    with pytest.raises(ValueError, match="no recipe for 'nope'.*'lenet'"):
        recipes.get("nope")


# ----------------------------------------------------------------------------- optimizers

def test_gan_recipe_uses_zoo_gans_discriminator_optimizer():
    from zoo import gan

    made, expected = recipes.get("gan").optimizer(), gan.discriminator_optimizer()
    assert type(made) is type(expected)
    without_name = lambda config: {k: v for k, v in config.items() if k != "name"}  # noqa: E731 (names are numbered)
    assert without_name(made.get_config()) == without_name(expected.get_config())
    assert made is not recipes.get("gan").optimizer()  # a fresh one per call, for a strategy scope


def test_optimizers_are_described_by_their_settings():
    assert book_reference.describe_optimizer(recipes.get("shallow_net").optimizer()) == "SGD(learning_rate=0.01)"
    assert book_reference.describe_optimizer(recipes.get("lenet").optimizer()) == "Adam(learning_rate=0.001)"
    assert book_reference.describe_optimizer(recipes.get("gan").optimizer()) == (
        "RMSprop(learning_rate=InverseTimeDecay(initial_learning_rate=0.0008, decay_steps=1, decay_rate=6e-08), "
        "clipvalue=1.0)")


# ----------------------------------------------------------------------------- agents

def test_cartpole_recipe_is_the_books_notebook():
    recipe = recipes.get("cartpole_q_network")
    assert isinstance(recipe, AgentRecipe) and recipe.chapter == 13
    assert (recipe.env, recipe.terminal_reward, recipe.checkpoint_every) == ("CartPole-v0", -10, 50)
    assert (recipe.eval_every, recipe.check_episodes, recipe.eval_episodes) == (10, 10, 100)
    assert (recipe.monitor, recipe.mode, recipe.epochs) == ("eval_mean_score", "max", None)
    assert recipe.reference == Reference(
        "score", 199, "the book's final 10 training episodes all scored the maximum, 199 counted from 0 (200 here)")


def test_cartpole_agent_options_are_zoo_dqns_presets():
    from zoo.dqn import PRESETS

    recipe = recipes.get("cartpole_q_network")
    assert list(recipe.presets) == list(PRESETS)
    assert recipe.agent_options() == PRESETS["book"] and recipe.agent_options("tuned") == PRESETS["tuned"]
    assert recipe.batch_size == PRESETS["book"]["batch_size"] == 32
    with pytest.raises(ValueError, match=r"preset='fast' is invalid: expected one of \['book', 'tuned'\]"):
        recipe.agent_options("fast")


def test_doom_recipe_is_vizdooms_example():
    recipe = recipes.get("doom_q_network")
    assert isinstance(recipe, AgentRecipe) and recipe.chapter is None and recipe.presets == {}
    assert (recipe.env, recipe.epochs, recipe.steps_per_epoch) == ("simpler_basic", 20, 2000)
    assert (recipe.test_episodes, recipe.target_score, recipe.monitor) == (100, 70, "test_mean")
    assert recipe.agent_options() == dict(gamma=0.99, learning_rate=0.00025, optimizer="rmsprop", memory_size=10_000,
                                          batch_size=64, replay="batched", epsilon_decay=1.0, epsilon_min=0.0)
    assert recipe.batch_size == 64
    assert recipe.reference == Reference(
        "test_mean", None, "beyond the book; the adapted blog post reports convergence in under 20 minutes")
    with pytest.raises(ValueError, match="has no presets"):
        recipe.agent_options("book")


def test_doom_agent_options_make_an_agent():
    from zoo.dqn import DQNAgent

    recipe = recipes.get("doom_q_network")
    agent = DQNAgent(zoo.get(recipe.model)(), **recipe.agent_options())
    assert (agent.gamma, agent.batch_size, agent.replay_mode) == (0.99, 64, "batched")
    assert type(agent.model.optimizer).__name__ == "RMSprop"
    keras.backend.clear_session()


# ----------------------------------------------------------------------------- the generated table

def test_committed_reference_table_is_the_generated_one():
    committed = (ROOT / book_reference.TABLE_PATH).read_text(encoding="utf-8")
    assert committed == book_reference.reference_table(), (
        f"{book_reference.TABLE_PATH} is out of date with zoo.recipes: regenerate it with `{book_reference.REGENERATE}`")


def test_reference_table_has_every_recipe_and_its_figures():
    table = book_reference.reference_table()
    for name in recipes.RECIPES:
        assert f"\n## {name}\n" in table
    assert "| [`vgg19_transfer`](#vgg19_transfer) | 10 | 20,074,562 (50,178 trainable), the zoo's count (the book prints none) | 16 | 32 | val_accuracy 0.812 |" \
        in table
    assert "discriminator 4,311,553, generator 183,713" in table
    assert "n_dense=64 (4,610 parameters)" in table
    assert "| [`doom_q_network`](#doom_q_network) | beyond the book | 26,616, the zoo's count (the book prints none) | 20 | 64 | no figure (test_mean) |" in table


def test_the_command_writes_or_prints_the_table(tmp_path, capsys):
    book_reference.main(["--write", str(tmp_path / "table.md")])
    assert (tmp_path / "table.md").read_text(encoding="utf-8") == book_reference.reference_table()
    book_reference.main([])
    assert capsys.readouterr().out == book_reference.reference_table()
