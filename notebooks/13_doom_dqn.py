# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Doom with a deep Q-learning agent (beyond the book)
#
# The chapter 13 agent, with a convolutional Q-network, learns ViZDoom's `simpler_basic`: shoot
# the monster before time runs out. `QUICK = True` plays a hundred training moves,
# `QUICK = False` ViZDoom's example: 20 epochs of 2,000 moves; then this run's agent and the zoo's
# trained Q-network (`weights="doom_simpler_basic"`) play the same unseen episodes.

# %%
# Installs the zoo when it is missing (Colab: clone the repository, then open this notebook from it)
import importlib.util, site, subprocess, sys
from pathlib import Path

if importlib.util.find_spec("zoo") is None:
    root = next((folder for folder in (Path.cwd(), *Path.cwd().parents, *Path("/content").glob("*"))
                 if (folder / "zoo" / "__init__.py").is_file()), None)
    if root is None:
        raise RuntimeError("the zoo is not installed and no clone of its repository is here: "
                           "git clone the repository, then pip install -e it")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", f"{root}[tensorflow]"], check=True)
    for folder in site.getsitepackages():
        site.addsitedir(folder)  # the editable install's import hook, without restarting the kernel

# %% [markdown]
# ## Settings

# %%
QUICK = True  # False: 20 epochs of 2,000 moves (about 20 minutes on a CPU)
EPOCHS = 1 if QUICK else 20
STEPS_PER_EPOCH = 100 if QUICK else 2000
SCENARIO = "simpler_basic"

# %%
import keras
import numpy as np

import zoo
from zoo import doom, plots, recipes
from zoo.dqn import DQNAgent, evaluate

# %matplotlib inline
keras.utils.set_random_seed(42)
recipe = recipes.get("doom_q_network")

# %% [markdown]
# ## The environment
# The screen in grey, down-sampled to 30x45; each action is held for 12 frames.

# %%
env = doom.make_env(SCENARIO)
observation, _ = env.reset(seed=1)
print(env.action_space, observation.shape)
plots.image_grid(observation[None, ..., 0], columns=1, size=3, title="what the agent sees");

# %% [markdown]
# ## Design the Q-network
# Two convolutions (8 filters each), a dense layer of 128, one output per action.

# %%
model = zoo.build_doom_q_network(input_shape=(*doom.RESOLUTION, 1), action_size=int(env.action_space.n))
model.summary()
assert model.count_params() == recipe.parameters["doom_q_network"]

# %% [markdown]
# ## The agent and its training
# ViZDoom's example settings (`recipe.agent`): RMSprop, a memory of 10,000 moves, a minibatch
# update after every move, exploration lowered each epoch by `doom.epsilon_schedule`.

# %%
agent = DQNAgent(model, **recipe.agent, seed=42)
scores = []
for epoch in range(EPOCHS):
    agent.epsilon = doom.epsilon_schedule(epoch, EPOCHS)
    observation, _ = env.reset(seed=1 + epoch)
    score = 0.0
    for _ in range(STEPS_PER_EPOCH):
        action = agent.act(observation)
        next_observation, reward, terminated, truncated, _ = env.step(action)
        score += reward
        # a timeout is reported as terminated and truncated: only a real end stops bootstrapping
        agent.remember(observation, action, reward, next_observation, terminated and not truncated)
        agent.train(decay=False)
        if terminated or truncated:
            scores.append(score)
            observation, score = env.reset()[0], 0.0
        else:
            observation = next_observation
env.close()  # the game runs in a process of its own, which outlives the kernel unless closed
print(f"{len(scores)} training episodes, mean score {np.mean(scores) if scores else float('nan'):.1f}")

# %% [markdown]
# ## Evaluate
# Greedy play (no exploring) in five episodes neither agent saw: this run's agent, and the zoo's
# trained weights (`weights="doom_simpler_basic"`). A score above 70 is a monster shot quickly.

# %%
trained = DQNAgent(zoo.build_doom_q_network(weights="doom_simpler_basic"), epsilon=0.0, epsilon_min=0.0,
                   optimizer="rmsprop")
print("scores in 5 unseen episodes")
ours = evaluate(agent, lambda: doom.make_env(SCENARIO), 5, seed=7_000_000, parallel=1)
print(f"  this run's agent ({EPOCHS * STEPS_PER_EPOCH:,} moves): {ours.tolist()}, mean {ours.mean():.1f}")
scores = evaluate(trained, lambda: doom.make_env(SCENARIO), 5, seed=7_000_000, parallel=1)
print(f"  the zoo's weights (doom_simpler_basic): {scores.tolist()}, mean {scores.mean():.1f}")
print(f"  the book: {recipe.reference.note}")
