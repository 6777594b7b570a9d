# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Cart-Pole with a deep Q-learning agent (chapter 13)
#
# An agent learns to balance a pole on a cart from the game's reward alone. `QUICK = True`
# plays a few training episodes, `QUICK = False` the book's 1,000; then this run's agent and the
# zoo's trained Q-network (`weights="cartpole_v0"`) play the same unseen episodes.

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
QUICK = True  # False: the book's 1,000 episodes
EPISODES = 5 if QUICK else 1000
ENV = "CartPole-v0"  # the book's: episodes end after 200 steps
BATCH_SIZE = 32

# %%
import keras
import numpy as np

import zoo
from zoo import plots, recipes
from zoo.dqn import DQNAgent, evaluate, make_gym_env

# %matplotlib inline
keras.utils.set_random_seed(42)
recipe = recipes.get("cartpole_q_network")

# %% [markdown]
# ## The environment
# Four numbers describe the state (cart position and velocity, pole angle and angular velocity);
# two actions push the cart left or right.

# %%
env = make_gym_env(ENV)
env.observation_space, env.action_space

# %% [markdown]
# ## Design the Q-network
# The book's: two dense layers of 32 ReLU neurons, one linear output per action.

# %%
book_model = keras.Sequential([
    keras.Input((4,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(2, activation="linear"),
])
model = zoo.build_cartpole_q_network(state_size=4, action_size=2, n_dense=32)
model.summary()
assert model.count_params() == book_model.count_params() == recipe.parameters["cartpole_q_network"]

# %% [markdown]
# ## The agent
# The book's settings: discount 0.95, exploration from 1.0 decaying by 0.995 to 0.01, Adam at
# 0.001, a memory of 2,000 moves replayed 32 at a time.

# %%
agent = DQNAgent(model, gamma=0.95, epsilon=1.0, epsilon_decay=0.995, epsilon_min=0.01, learning_rate=0.001,
                 memory_size=2000, batch_size=BATCH_SIZE, seed=42)

# %% [markdown]
# ## Train: the book's loop
# Each episode is played to its end; a move that ends it costs 10 points; then the agent
# replays a batch from its memory.

# %%
scores = []
for episode in range(EPISODES):
    state, _ = env.reset(seed=episode)
    for step in range(1, 5001):
        action = agent.act(state)
        next_state, reward, terminated, truncated, _ = env.step(action)
        done = terminated or truncated
        agent.remember(state, action, reward if not terminated else recipe.terminal_reward, next_state, terminated)
        state = next_state
        if done:
            break
    scores.append(step)
    agent.train(BATCH_SIZE)
print(f"scores {scores}, epsilon now {agent.epsilon:.3f}")
if not QUICK:
    plots.score_curve(scores, title="training episodes")

# %% [markdown]
# ## Evaluate
# Greedy play (no exploring) in five episodes neither agent saw: this run's agent, and the zoo's
# trained weights (`weights="cartpole_v0"`, the book's 1,000 episodes).

# %%
trained = DQNAgent(zoo.build_cartpole_q_network(weights="cartpole_v0"), epsilon=0.0, epsilon_min=0.0)
print("scores in 5 unseen episodes (an episode ends after 200 steps)")
print(f"  this run's agent ({EPISODES} episodes): {evaluate(agent, lambda: make_gym_env(ENV), 5, seed=5_000_000).tolist()}")
scores = evaluate(trained, lambda: make_gym_env(ENV), 5, seed=5_000_000)
print(f"  the zoo's weights (cartpole_v0): {scores.tolist()}")
print(f"  the book: {recipe.reference.note}")
