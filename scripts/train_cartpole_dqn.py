"""Chapter 13: a deep Q-learning agent learns to balance the pole in Cart-Pole.

The book's notebook (cartpole_dqn.ipynb) on gymnasium: CartPole-v0 (200-step episodes),
1,000 episodes, reward -10 on the terminal step, one replay call after each episode.
`--preset tuned --env CartPole-v1` plays the modern 500-step game with a target network,
Double DQN, Huber loss and one minibatch update per step.

    python scripts/train_cartpole_dqn.py                                  # the book
    python scripts/train_cartpole_dqn.py --preset tuned --env CartPole-v1 # solves v1
    python scripts/train_cartpole_dqn.py --episodes 200 --record          # + a GIF

Writes scores.csv, scores.png, checkpoints/ (every 50 episodes; --resume continues),
best.weights.h5 (the best periodic greedy evaluation), model.keras (those best weights),
metrics.json and a RESULT line with the greedy mean over --eval-episodes episodes.
"""

import json
import logging
import time

import numpy as np

from zoo import training  # first: it quiets TensorFlow's start-up logs

from zoo import plots  # noqa: E402
from zoo.dqn import PRESETS, DQNAgent, build_cartpole_q_network, evaluate, make_gym_env, record_episode  # noqa: E402

log = logging.getLogger("zoo")

# environment:
ENV_ID = "CartPole-v0"  # the book's game: 200-step episodes
TERMINAL_REWARD = -10  # the book's penalty on the step that ends an episode

# training (the rest of the agent's settings are the preset's, see zoo.dqn.PRESETS):
N_EPISODES = {"book": 1000, "tuned": 600}
N_DENSE = {"book": 32, "tuned": 64}  # units per hidden layer: the book's 32, twice that for the 500-step game
CHECKPOINT_EVERY = 50  # episodes, as the book saves its weights

# greedy evaluation (the book warns the agent is flaky late in training, so keep the best):
EVAL_EVERY = 10  # episodes between greedy checks
CHECK_EPISODES = 10  # greedy episodes per check
EVAL_EPISODES = 100  # greedy episodes scored at the end, with the best weights

BOOK = {"metric": "score", "value": 199,
        "note": "the book's final 10 training episodes all scored the maximum, 199 counted from 0 (200 here)"}


def make_parser():
    parser = training.make_parser("cartpole_q_network", __doc__, epochs=1, batch_size=PRESETS["book"]["batch_size"],
                                  data=False)
    for action in parser._actions:  # the shared contract's --epochs means nothing to an episodic agent
        if action.dest == "epochs":
            action.help = "not used by this script: see --episodes"
        if action.dest == "batch_size":
            action.default, action.help = None, "transitions per replay call (default: the preset's, 32 or 64)"
    rl = parser.add_argument_group("reinforcement learning")
    rl.add_argument("--env", default=ENV_ID, help="a gymnasium environment with vector states and discrete actions")
    rl.add_argument("--preset", choices=sorted(PRESETS), default="book",
                    help="book: chapter 13 as printed; tuned: target network, Double DQN, Huber, per-step updates")
    rl.add_argument("--episodes", type=training.positive_int, default=None,
                    help="training episodes (default: 1000 for book, 600 for tuned)")
    rl.add_argument("--train-every-step", action="store_true",
                    help="a replay call after every step, as the book's footnote suggests (tuned does this anyway)")
    rl.add_argument("--replay", choices=("book", "batched"), default=None, help="override the preset's replay mode")
    rl.add_argument("--n-dense", type=training.positive_int, default=None,
                    help="units of each hidden layer (default: 32 for book, 64 for tuned)")
    rl.add_argument("--learning-rate", type=float, default=None, help="override the preset's (book 0.001, tuned 0.0005)")
    rl.add_argument("--target-update-period", type=training.positive_int, default=None,
                    help="updates between target-network syncs (tuned: 100; book has no target network)")
    rl.add_argument("--eval-every", type=training.positive_int, default=EVAL_EVERY,
                    help="episodes between greedy checks that keep the best weights")
    rl.add_argument("--eval-episodes", type=training.positive_int, default=EVAL_EPISODES,
                    help="greedy episodes scored with the best weights at the end")
    rl.add_argument("--stop-at", type=float, default=None,
                    help="stop once a greedy check averages this score (default: tuned stops at the episode limit)")
    rl.add_argument("--record", action="store_true", help="save greedy_episode.gif of the best agent")
    return parser


def main():
    args = training.parse_args(make_parser())
    env = make_gym_env(args.env)
    run = training.Run(args, "cartpole_q_network", monitor="eval_mean_score", mode="max")
    preset = args.preset
    n_episodes = args.episodes or N_EPISODES[preset]
    eval_every = args.eval_every or EVAL_EVERY
    train_every_step = args.train_every_step or preset == "tuned"
    max_steps = env.spec.max_episode_steps
    stop_at = args.stop_at if args.stop_at is not None else (max_steps if preset == "tuned" else None)
    # The book's gym ends an episode at the time limit with done=True and learns that as a
    # terminal state; the tuned agent knows a timeout is not a failure and bootstraps through it.
    timeout_is_terminal = preset == "book"
    overrides = {"seed": args.seed}
    if args.batch_size:
        overrides["batch_size"] = args.batch_size
    for option in ("replay", "learning_rate", "target_update_period"):
        if getattr(args, option) is not None:
            overrides[option] = getattr(args, option)

    state_size, action_size = env.observation_space.shape[0], int(env.action_space.n)
    checkpoints = run.checkpoint_dir
    with run.runtime.scope():
        if args.resume and (checkpoints / "progress.json").exists():
            progress = json.loads((checkpoints / "progress.json").read_text())
            agent = DQNAgent.load(checkpoints / "last.keras", compile=True,
                                  **{**PRESETS[preset], **overrides, "epsilon": progress["epsilon"],
                                     "epsilon_min": PRESETS[preset]["epsilon_min"]})
            agent.updates = progress["updates"]
            agent.sync_target()
            memory = np.load(checkpoints / "memory.npz")
            for name in ("states", "actions", "rewards", "next_states", "dones"):
                getattr(agent.memory, name)[...] = memory[name]
            agent.memory.size, agent.memory.position = int(memory["size"]), int(memory["position"])
            if (checkpoints / "best.weights.h5").exists():
                current = agent.model.get_weights()
                agent.model.load_weights(checkpoints / "best.weights.h5")
                agent.keep_if_best(progress["best_score"])
                agent.model.set_weights(current)
            start, scores, evaluations = progress["episodes_done"], progress["scores"], progress["evaluations"]
            log.info(f"resuming {run.output_dir} after episode {start}")
        else:
            if args.resume:
                log.warning(f"nothing to resume in {run.output_dir}; starting a new run")
            model = build_cartpole_q_network(state_size, action_size, n_dense=args.n_dense or N_DENSE[preset])
            agent = DQNAgent.from_preset(model, preset, **overrides)
            start, scores, evaluations = 0, [], []
    log.info(f"{args.env}: {n_episodes} episodes, preset {preset} (replay {agent.replay_mode}, "
             f"{'every step' if train_every_step else 'after each episode'}); {run.runtime.describe()}")

    def greedy_env():
        return make_gym_env(args.env)

    def checkpoint(episodes_done):
        agent.save(checkpoints / "last.keras")
        with training.atomic_path(checkpoints / "memory.npz") as temporary:
            m = agent.memory
            np.savez(temporary, states=m.states, actions=m.actions, rewards=m.rewards, next_states=m.next_states,
                     dones=m.dones, size=m.size, position=m.position)
        if agent.best_weights is not None:
            agent.save_weights(checkpoints / "best.weights.h5", agent.best_weights)
        # the book's own snapshot every 50 episodes
        agent.save_weights(checkpoints / f"weights_{episodes_done:04d}.weights.h5")
        training.write_json(checkpoints / "progress.json", {
            "episodes_done": episodes_done, "epsilon": agent.epsilon, "updates": agent.updates,
            "best_score": agent.best_score, "scores": scores, "evaluations": evaluations})

    training_started = time.perf_counter()
    seed = args.seed
    stopped_early = False
    for episode in range(start, n_episodes):
        observation, _ = env.reset(seed=None if seed is None or episode else seed)
        done, score, losses = False, 0.0, []
        while not done:
            action = agent.act(observation)
            next_observation, reward, terminated, truncated, _ = env.step(action)
            done = terminated or truncated
            score += reward
            terminal = done if timeout_is_terminal else terminated
            agent.remember(observation, action, TERMINAL_REWARD if terminal else reward, next_observation, terminal)
            observation = next_observation
            if train_every_step:
                losses.append(agent.train())
        if not train_every_step:
            losses.append(agent.train())  # the book: one replay call per episode
        losses = [value for value in losses if value is not None]
        scores.append({"episode": episode + 1, "score": score, "epsilon": round(agent.epsilon, 5),
                       "loss": float(np.mean(losses)) if losses else None})
        if (episode + 1) % eval_every == 0 or episode + 1 == n_episodes:
            check = float(evaluate(agent, greedy_env, CHECK_EPISODES, seed=None if seed is None else seed + 10_000 + episode).mean())
            evaluations.append([episode + 1, check])
            better = agent.keep_if_best(check)
            log.info(f"episode {episode + 1}/{n_episodes}  score {score:.0f}  epsilon {agent.epsilon:.3f}  "
                     f"greedy check {check:.1f}{'  (best so far)' if better else ''}")
            if stop_at is not None and check >= stop_at:
                log.info(f"greedy check reached {stop_at:g}: stopping after episode {episode + 1}")
                stopped_early = True
        if (episode + 1) % CHECKPOINT_EVERY == 0 or stopped_early or episode + 1 == n_episodes:
            checkpoint(episode + 1)  # every 50 episodes, and the last, so --resume can go further
        if stopped_early:
            break
    training_time = time.perf_counter() - training_started
    env.close()

    # the best weights, scored greedily over many fresh episodes
    agent.restore_best()
    eval_scores = evaluate(agent, greedy_env, args.eval_episodes, seed=None if seed is None else seed + 1_000_000)
    if agent.best_weights is not None:
        agent.save_weights(run.path("best.weights.h5"), agent.best_weights)
    with training.atomic_path(run.path("scores.csv")) as temporary:
        lines = ["episode,score,epsilon,loss"] + [
            f"{row['episode']},{row['score']},{row['epsilon']},{'' if row['loss'] is None else row['loss']}" for row in scores]
        temporary.write_text("\n".join(lines) + "\n")
    threshold = env.spec.reward_threshold
    plots.save(plots.score_curve([row["score"] for row in scores], evaluations=evaluations, target=threshold,
                                 title=f"{args.env}, preset {preset}"), run.path("scores.png"))
    metrics = {
        "env": args.env, "preset": preset, "replay": agent.replay_mode, "train_every_step": train_every_step,
        "episodes": len(scores), "stopped_early": stopped_early, "updates": agent.updates,
        "training_time_s": round(training_time, 2),
        "best_check_mean_score": agent.best_score,
        "eval_episodes": args.eval_episodes,
        "eval_mean_score": float(eval_scores.mean()), "eval_std_score": float(eval_scores.std()),
        "eval_min_score": float(eval_scores.min()), "eval_max_score": float(eval_scores.max()),
        "reward_threshold": threshold,
        "last_10_training_scores": [row["score"] for row in scores[-10:]],
        "book": BOOK,
    }
    if args.record:
        path, score = record_episode(agent, make_gym_env(args.env, render_mode="rgb_array"), run.path("greedy_episode.gif"),
                                     seed=seed)
        metrics.update(record=str(path), record_score=score)
    log.info(f"greedy evaluation of the best weights over {args.eval_episodes} episodes: "
             f"mean {eval_scores.mean():.1f} (std {eval_scores.std():.1f}); training took {training_time:.0f} s")
    run.finish(agent.model, metrics)


if __name__ == "__main__":
    training.main(main)
