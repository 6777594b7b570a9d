"""Chapter 13: a deep Q-learning agent learns to balance the pole in Cart-Pole.

The book's notebook (cartpole_dqn.ipynb) on gymnasium: CartPole-v0 (200-step episodes),
1,000 episodes, reward -10 on the terminal step, one replay call after each episode.
`--preset tuned --env CartPole-v1` plays the modern 500-step game with a target network,
Double DQN, Huber loss and one minibatch update per step.

    python scripts/train_cartpole_dqn.py                                  # the book
    python scripts/train_cartpole_dqn.py --preset tuned --env CartPole-v1 # solves v1
    python scripts/train_cartpole_dqn.py --episodes 200 --record          # + a GIF
    python scripts/train_cartpole_dqn.py --weights cartpole_v0            # train on from them

Writes scores.csv, scores.png, weights/ (the network every 50 episodes and after the
last, as the book saves it), checkpoints/ (the agent at those moments; --resume continues),
best.weights.h5 (the best periodic greedy check), model.keras
(those best weights), metrics.json and a RESULT line with the greedy mean over
--eval-episodes episodes. A trained agent plays with `dli-zoo play cartpole_v0` (or the run's
folder) instead.
"""

import logging
import time
from functools import partial

import numpy as np

from zoo import cli, recipes, stopping  # TensorFlow loads only once the arguments are good
from zoo.files import atomic_path

MODEL = "cartpole_q_network"

log = logging.getLogger("zoo")


def make_parser(recipe):
    parser = cli.make_parser(MODEL, __doc__, groups=("run", "device"), strategy=False, precision=False)
    episodes = ", ".join(f"{settings.episodes} for {name}" for name, settings in recipe.presets.items())
    widths = ", ".join(f"{settings.n_dense} for {name}" for name, settings in recipe.presets.items())
    rl = parser.add_argument_group("reinforcement learning")
    rl.add_argument("--env", default=None, help=f"a gymnasium environment with vector states and discrete actions "
                                                 f"(default: {recipe.env})")
    rl.add_argument("--preset", choices=list(recipe.presets), default=next(iter(recipe.presets)),
                    help="book: chapter 13 as printed; tuned: target network, Double DQN, Huber, per-step updates")
    rl.add_argument("--episodes", type=cli.positive_int, default=None,
                    help=f"training episodes; a resumed run trains on to this (default: {episodes})")
    rl.add_argument("--train-every-step", action="store_true",
                    help="a replay call after every step, as the book's footnote suggests (tuned does this anyway)")
    rl.add_argument("--replay", choices=("book", "batched"), default=None,
                    help="one update per sampled transition (book) or per minibatch (default: the preset's)")
    rl.add_argument("--batch-size", type=cli.positive_int, default=None,
                    help="transitions per replay call (default: the preset's)")
    rl.add_argument("--n-dense", type=cli.positive_int, default=None,
                    help=f"units of each hidden layer (default: {widths}; with --weights, theirs)")
    rl.add_argument("--learning-rate", type=cli.positive_float, default=None, help="Adam's (default: the preset's)")
    rl.add_argument("--target-update-period", type=cli.positive_int, default=None,
                    help="updates between target-network syncs (default: the preset's; book has no target network)")
    rl.add_argument("--eval-every", type=cli.positive_int, default=recipe.eval_every,
                    help="episodes between greedy checks that keep the best weights")
    rl.add_argument("--eval-episodes", type=cli.positive_int, default=recipe.eval_episodes,
                    help="greedy episodes scored with the best weights at the end of the run")
    rl.add_argument("--stop-at", type=float, default=None,
                    help="stop once a greedy check averages this score (default: tuned stops at the episode limit)")
    rl.add_argument("--record", action="store_true", help="save greedy_episode.gif of the best agent")
    cli.add_agent_weights_flags(parser, rl)
    # neither changes the training so far: the final evaluation and the GIF are made afresh
    parser.allow_on_resume("eval_episodes", "record")
    return parser


def trained_width(args, recipe, trained: dict) -> int:
    """--n-dense, else the width the weights were trained with, else the preset's."""
    return (args.n_dense or trained.get("n_dense") or (trained.get("recipe") or {}).get("n_dense")
            or recipe.presets[args.preset].n_dense)


def main():
    recipe = recipes.get(MODEL)
    parser = make_parser(recipe)
    args = cli.parse_args(parser, load_backend=False)  # the flags checked first: a refusal is instant
    args.env = args.env or recipe.env  # resolved before the Run records it, as runs always recorded it
    if args.weights is not None:  # the weights' own width (cartpole_v1's is not the book's)
        from zoo import pretrained

        args.n_dense = trained_width(args, recipe, pretrained.trained_settings(MODEL, args.weights))

    cli.start_backend(args)
    from zoo import training
    from zoo import plots
    from zoo.dqn import (DQNAgent, build_cartpole_q_network, evaluate, load_checkpoint, make_gym_env,
                         record_episode, save_checkpoint)

    preset = recipe.presets[args.preset]  # every setting of the agent and of this loop
    # The preset's values under a key of their own: a resumed run whose zoo changed them is
    # refused, and a changed --preset is reported as such rather than as its first consequence.
    run = training.Run(args, MODEL, monitor="eval_mean_score", mode="max", settings={"recipe": {
        **recipe.agent_options(args.preset), **preset.loop_settings(), "n_dense": preset.n_dense,
        "terminal_reward": recipe.terminal_reward, "check_episodes": recipe.check_episodes}})

    # the game
    env = make_gym_env(args.env)
    state_size, action_size = env.observation_space.shape[0], int(env.action_space.n)
    max_steps = env.spec.max_episode_steps
    n_episodes = args.episodes or preset.episodes
    train_every_step = args.train_every_step or preset.train_every_step
    stop_at = args.stop_at if args.stop_at is not None else (max_steps if preset.stop_at_episode_limit else None)
    # The book's gym ends an episode at the time limit with done=True and learns that as a
    # terminal state; the tuned agent knows a timeout is not a failure and bootstraps through it.
    timeout_is_terminal = preset.timeout_is_terminal

    # the agent: the preset's options, with what the command line overrides
    overrides = {option: getattr(args, option) for option in ("batch_size", "replay", "learning_rate",
                                                              "target_update_period")
                 if getattr(args, option) is not None}
    agent_settings = {**recipe.agent_options(args.preset), **overrides, "seed": args.seed}

    def new_agent():
        # --weights (a defining setting: it changes what the run learns) before the agent copies the
        # network into its target network
        model = build_cartpole_q_network(state_size, action_size, n_dense=args.n_dense or preset.n_dense,
                                         weights=args.weights)
        return DQNAgent(model, **agent_settings)

    agent = run.restore(start=new_agent,
                        resume=lambda folder, progress: load_checkpoint(folder, **agent_settings))
    done_before = run.progress.get("episodes_done", 0)
    scores = list(run.progress.get("scores", []))
    evaluations = list(run.progress.get("evaluations", []))
    stopped_early = run.progress.get("stopped_early", False)
    earlier_training_time = run.progress.get("training_time_s", 0.0)
    log.info(f"{args.env}: {n_episodes} episodes, preset {args.preset} (replay {agent.replay_mode}, "
             f"{'every step' if train_every_step else 'after each episode'})")
    if stopped_early:  # --stop-at ended its training: a resumed run only evaluates it afresh
        log.info(f"this run stopped at its --stop-at score after episode {done_before}; nothing to train")
        n_episodes = done_before

    def greedy_env():
        return make_gym_env(args.env)

    segment_started = time.perf_counter()

    def training_time():
        return earlier_training_time + time.perf_counter() - segment_started

    def checkpoint(episodes_done):
        # the book's own snapshot of the weights every 50 episodes
        agent.save_weights(run.path("weights") / f"weights_{episodes_done:04d}.weights.h5")
        # the agent into a snapshot folder of its own, so a kill mid-save keeps the previous one;
        # progress as a function: its training time then includes the save
        run.checkpoint(partial(save_checkpoint, agent),
                       lambda: {"episodes_done": episodes_done, "stopped_early": stopped_early,
                                "training_time_s": round(training_time(), 2), "scores": scores,
                                "evaluations": evaluations}, snapshot=True)

    seed = args.seed
    with stopping.deferred():  # SIGTERM/SIGINT: stop at the next step, not inside the backend
        for episode in range(done_before, n_episodes):
            # the first episode of each segment seeded, so a resumed run is repeatable too
            observation, _ = env.reset(seed=None if seed is None or episode > done_before else seed + episode)
            done, score, losses = False, 0.0, []
            while not done:
                stopping.check()  # a stop signal: here, between two steps
                action = agent.act(observation)
                next_observation, reward, terminated, truncated, _ = env.step(action)
                done = terminated or truncated
                score += reward
                terminal = done if timeout_is_terminal else terminated
                agent.remember(observation, action, recipe.terminal_reward if terminal else reward, next_observation,
                               terminal)
                observation = next_observation
                if train_every_step:
                    losses.append(agent.train())
            if not train_every_step:
                losses.append(agent.train())  # the book: one replay call per episode
            losses = [value for value in losses if value is not None]
            scores.append({"episode": episode + 1, "score": score, "epsilon": round(agent.epsilon, 5),
                           "loss": float(np.mean(losses)) if losses else None})
            if (episode + 1) % args.eval_every == 0 or episode + 1 == n_episodes:
                check = float(evaluate(agent, greedy_env, recipe.check_episodes,
                                       seed=None if seed is None else seed + 10_000 + episode).mean())
                evaluations.append([episode + 1, check])
                better = agent.keep_if_best(check)
                log.info(f"episode {episode + 1}/{n_episodes}  score {score:.0f}  epsilon {agent.epsilon:.3f}  "
                         f"greedy check {check:.1f}{'  (best so far)' if better else ''}")
                if stop_at is not None and check >= stop_at:
                    log.info(f"greedy check reached {stop_at:g}: stopping after episode {episode + 1}")
                    stopped_early = True
            if (episode + 1) % recipe.checkpoint_every == 0 or stopped_early or episode + 1 == n_episodes:
                checkpoint(episode + 1)  # every 50 episodes, and the last, so --resume can go further
            if stopped_early:
                break
    training_seconds = training_time()
    env.close()

    # the best weights, scored greedily over many fresh episodes
    agent.restore_best()
    eval_scores = evaluate(agent, greedy_env, args.eval_episodes, seed=None if seed is None else seed + 1_000_000)
    if agent.best_weights is not None:
        agent.save_weights(run.path("best.weights.h5"), agent.best_weights)
    write_scores(run.path("scores.csv"), scores)
    threshold = env.spec.reward_threshold
    plots.save(plots.score_curve([row["score"] for row in scores], evaluations=evaluations, target=threshold,
                                 title=f"{args.env}, preset {args.preset}"), run.path("scores.png"))
    metrics = {
        "env": args.env, "preset": args.preset, "replay": agent.replay_mode, "train_every_step": train_every_step,
        "episodes": len(scores), "stopped_early": stopped_early, "updates": agent.updates,
        "epsilon": agent.epsilon, "training_time_s": round(training_seconds, 2),
        "best_check_mean_score": agent.best_score if agent.best_weights is not None else None,
        "eval_episodes": args.eval_episodes,
        "eval_mean_score": float(eval_scores.mean()), "eval_std_score": float(eval_scores.std()),
        "eval_min_score": float(eval_scores.min()), "eval_max_score": float(eval_scores.max()),
        "reward_threshold": threshold,
        "last_10_training_scores": [row["score"] for row in scores[-10:]],
    }
    if args.record:
        path, score = record_episode(agent, make_gym_env(args.env, render_mode="rgb_array"),
                                     run.path("greedy_episode.gif"), seed=seed)
        metrics.update(record=str(path), record_score=score)
    log.info(f"greedy evaluation of the best weights over {args.eval_episodes} episodes: "
             f"mean {eval_scores.mean():.1f} (std {eval_scores.std():.1f}); training took {training_seconds:.0f} s")
    run.finish(agent.model, metrics)


def write_scores(path, scores):
    lines = ["episode,score,epsilon,loss"] + [
        f"{row['episode']},{row['score']},{row['epsilon']},{'' if row['loss'] is None else row['loss']}"
        for row in scores]
    with atomic_path(path) as temporary:
        temporary.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    cli.main(main)
