"""Chapter 13, deep Q-learning: Q-networks, a replay memory and the DQN agent, on every Keras backend.

    from zoo.dqn import DQNAgent, build_cartpole_q_network
    agent = DQNAgent(build_cartpole_q_network())        # the book's agent, book defaults
    action = agent.act(state)                           # epsilon-greedy, compiled forward pass
    agent.remember(state, action, reward, next_state, done)
    agent.train()                                       # the book's replay call
    save_checkpoint(agent, folder)                      # resume with load_checkpoint(folder)

- ``networks``: the Q-network builders;
- ``memory``: the replay memory;
- ``learning``: the math (targets, book and batched replay), once in ``keras.ops``, and the
  book's own ``predict``/``fit`` replay it is checked against;
- ``backends``: compilation per backend (``jax.jit``, ``tf.function``, PyTorch traced and
  run by TorchScript), over ``zoo.backend_steps``' gradients and optimizer steps, the GAN's too;
- ``agent``: ``DQNAgent``; ``checkpoint``: its checkpoint I/O; ``play``: environments,
  greedy evaluation and recorded episodes.
"""

from zoo.dqn.agent import LOSSES, OPTIMIZERS, PRESETS, REPLAY_MODES, DQNAgent
from zoo.dqn.checkpoint import load_checkpoint, save_checkpoint
from zoo.dqn.learning import book_replay
from zoo.dqn.memory import ReplayMemory
from zoo.dqn.networks import build_cartpole_q_network, build_doom_q_network
from zoo.dqn.play import evaluate, make_gym_env, record_episode

__all__ = ["DQNAgent", "LOSSES", "OPTIMIZERS", "PRESETS", "REPLAY_MODES", "ReplayMemory", "book_replay",
           "build_cartpole_q_network", "build_doom_q_network", "evaluate", "load_checkpoint", "make_gym_env",
           "record_episode", "save_checkpoint"]
