"""Chapter 13: a deep Q-learning agent learns to balance the pole in Cart-Pole.

The book's notebook (cartpole_dqn.ipynb) on gymnasium: CartPole-v0 (200-step episodes),
1,000 episodes, reward -10 on the terminal step, one replay call after each episode.
`--preset tuned --env CartPole-v1` plays the modern 500-step game with a target network,
Double DQN, Huber loss and one minibatch update per step.

    python scripts/train_cartpole_dqn.py                                  # the book
    python scripts/train_cartpole_dqn.py --preset tuned --env CartPole-v1 # solves v1
    python scripts/train_cartpole_dqn.py --episodes 200 --gif             # + a GIF
    python scripts/train_cartpole_dqn.py --weights cartpole_v0            # train on from them

Writes scores.csv, scores.png, weights/ (the network every 50 episodes and after the
last, as the book saves it), checkpoints/ (the agent at those moments; --resume continues),
best.weights.h5 (the best periodic greedy check), model.keras
(those best weights), metrics.json and a RESULT line with the greedy mean over
--eval-episodes episodes. A trained agent plays with `dli-zoo play cartpole_v0` (or the run's
folder) instead.
"""

import dataclasses
import logging
import time
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

import numpy as np

from zoo import cli, config, recipes, stopping  # TensorFlow loads only once the settings are good
from zoo.commands import play
from zoo.files import atomic_path

MODEL = "cartpole_q_network"
RECIPE = recipes.get(MODEL)
RL = "reinforcement learning"
# what a preset decides unless the command line does (None, or an unset switch: the preset's)
PRESET_SETTINGS = ("episodes", "n_dense", "batch_size", "replay", "learning_rate", "target_update_period",
                   "train_every_step")

log = logging.getLogger("zoo")


def _each_preset(name: str) -> str:
    return ", ".join(f"{getattr(preset, name)} for {preset_name}" for preset_name, preset in RECIPE.presets.items())


@dataclass(frozen=True)
class Settings(config.Run, config.Device):
    model: ClassVar[str] = MODEL
    renamed: ClassVar[dict[str, str]] = {"--record": "--gif (save greedy_episode.gif in the run folder)"}
    moved: ClassVar[dict[str, str]] = play.SCRIPT_FLAGS
    derived: ClassVar[tuple[str, ...]] = PRESET_SETTINGS + ("stop_at",)

    env: str = config.setting(RECIPE.env, "a gymnasium environment with vector states and discrete actions",
                              group=RL)
    preset: str = config.setting(next(iter(RECIPE.presets)), "book: chapter 13 as printed; tuned: target network, "
                                 "Double DQN, Huber, per-step updates", choices=tuple(RECIPE.presets), group=RL)
    episodes: int | None = config.setting(
        None, f"training episodes; a resumed run trains on to this (default: {_each_preset('episodes')})",
        parse=cli.positive_int, on_resume=True, group=RL)
    train_every_step: bool = config.setting(
        False, "a replay call after every step, as the book's footnote suggests (tuned does this anyway)", group=RL)
    replay: str | None = config.setting(
        None, "one update per sampled transition (book) or per minibatch (default: the preset's)",
        choices=("book", "batched"), group=RL)
    batch_size: int | None = config.setting(None, "transitions per replay minibatch (default: the preset's)",
                                            parse=cli.positive_int, group=RL)
    n_dense: int | None = config.setting(
        None, f"units of each hidden layer (default: {_each_preset('n_dense')}; with --weights, theirs)",
        parse=cli.positive_int, group=RL)
    learning_rate: float | None = config.setting(None, "Adam's (default: the preset's)", parse=cli.positive_float,
                                                 group=RL)
    target_update_period: int | None = config.setting(
        None, "updates between target-network syncs (default: the preset's; book has no target network)",
        parse=cli.positive_int, group=RL)
    eval_every: int = config.setting(RECIPE.eval_every, "episodes between greedy checks that keep the best weights",
                                     parse=cli.positive_int, group=RL)
    # neither changes the training so far: the final evaluation and the GIF are made afresh
    eval_episodes: int = config.setting(RECIPE.eval_episodes, "greedy episodes scored with the best weights at the "
                                        "end of the run", parse=cli.positive_int, on_resume=True, group=RL)
    stop_at: float | None = config.setting(
        None, "stop once a greedy check averages this score (default: tuned stops at the episode limit)",
        parse=float, group=RL)
    gif: bool = config.setting(False, "save greedy_episode.gif of the best agent in the run folder", on_resume=True,
                               group=RL)
    weights: str | None = config.setting(None, f"start the training run from trained weights: {config.WEIGHTS_HELP}",
                                         parse=cli.weights_source, metavar="NAME|PATH", group=RL)

    @classmethod
    def preset_settings(cls, name: str) -> "Settings":
        """The preset ``name`` (``book``, ``tuned``) as settings: the recipe's values of what it decides."""
        return cls(preset=name, **{setting: getattr(RECIPE.presets[name], setting) for setting in PRESET_SETTINGS})

    def resolved(self, trained: dict, max_steps: int | None) -> "Settings":
        """These settings with what they leave to others filled in: the width of the --weights
        (``trained``: the settings they were trained with), then the preset's values, and tuned's
        stop at the game's step limit (``max_steps``)."""
        width = self.n_dense or trained.get("n_dense") or (trained.get("recipe") or {}).get("n_dense")
        preset = self.preset_settings(self.preset)
        stop_at = self.stop_at
        if stop_at is None and RECIPE.presets[self.preset].stop_at_episode_limit:
            stop_at = float(max_steps)
        values = {name: getattr(preset, name) for name in PRESET_SETTINGS if getattr(self, name) in (None, False)}
        if width:
            values["n_dense"] = width
        return dataclasses.replace(self, **values, stop_at=stop_at)


def main():
    settings = config.parse(Settings, __doc__, load_backend=False)  # the flags checked first: a refusal is instant
    cli.start_backend(settings)
    from zoo import plots, training
    from zoo.dqn import (DQNAgent, build_cartpole_q_network, evaluate, load_checkpoint, make_gym_env,
                         record_episode, save_checkpoint)

    # the game
    env = make_gym_env(settings.env)
    state_size, action_size = env.observation_space.shape[0], int(env.action_space.n)
    trained = {}
    if settings.weights is not None:  # the weights' own width (cartpole_v1's is not the book's)
        from zoo import pretrained

        trained = pretrained.trained_settings(MODEL, settings.weights)
    settings = settings.resolved(trained, env.spec.max_episode_steps)  # the settings the run records

    preset = RECIPE.presets[settings.preset]  # every setting of the agent and of this loop
    # The preset's values under a key of their own: a resumed run whose zoo changed them is refused.
    run = training.Run(settings, MODEL, monitor="eval_mean_score", mode="max", settings={"recipe": {
        **RECIPE.agent_options(settings.preset), **preset.loop_settings(), "n_dense": preset.n_dense,
        "terminal_reward": RECIPE.terminal_reward, "check_episodes": RECIPE.check_episodes}})
    n_episodes = settings.episodes
    # The book's gym ends an episode at the time limit with done=True and learns that as a
    # terminal state; the tuned agent knows a timeout is not a failure and bootstraps through it.
    timeout_is_terminal = preset.timeout_is_terminal

    # the agent: the preset's options, with what the command line overrides
    agent_settings = {**RECIPE.agent_options(settings.preset), "batch_size": settings.batch_size,
                      "replay": settings.replay, "learning_rate": settings.learning_rate,
                      "target_update_period": settings.target_update_period, "seed": settings.seed}

    def new_agent():
        # --weights (a defining setting: it changes what the run learns) before the agent copies the
        # network into its target network
        model = build_cartpole_q_network(state_size, action_size, n_dense=settings.n_dense, weights=settings.weights)
        return DQNAgent(model, **agent_settings)

    agent = run.restore(start=new_agent,
                        resume=lambda folder, progress: load_checkpoint(folder, **agent_settings))
    done_before = run.progress.get("episodes_done", 0)
    scores = list(run.progress.get("scores", []))
    evaluations = list(run.progress.get("evaluations", []))
    stopped_early = run.progress.get("stopped_early", False)
    earlier_training_time = run.progress.get("training_time_s", 0.0)
    log.info(f"{settings.env}: {n_episodes} episodes, preset {settings.preset} (replay {agent.replay_mode}, "
             f"{'every step' if settings.train_every_step else 'after each episode'})")
    if stopped_early:  # --stop-at ended its training: a resumed run only evaluates it afresh
        log.info(f"this run stopped at its --stop-at score after episode {done_before}; nothing to train")
        n_episodes = done_before

    def greedy_env():
        return make_gym_env(settings.env)

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

    seed = settings.seed
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
                agent.remember(observation, action, RECIPE.terminal_reward if terminal else reward, next_observation,
                               terminal)
                observation = next_observation
                if settings.train_every_step:
                    losses.append(agent.train())
            if not settings.train_every_step:
                losses.append(agent.train())  # the book: one replay call per episode
            losses = [value for value in losses if value is not None]
            scores.append({"episode": episode + 1, "score": score, "epsilon": round(agent.epsilon, 5),
                           "loss": float(np.mean(losses)) if losses else None})
            if (episode + 1) % settings.eval_every == 0 or episode + 1 == n_episodes:
                check = float(evaluate(agent, greedy_env, RECIPE.check_episodes,
                                       seed=None if seed is None else seed + 10_000 + episode).mean())
                evaluations.append([episode + 1, check])
                better = agent.keep_if_best(check)
                log.info(f"episode {episode + 1}/{n_episodes}  score {score:.0f}  epsilon {agent.epsilon:.3f}  "
                         f"greedy check {check:.1f}{'  (best so far)' if better else ''}")
                if settings.stop_at is not None and check >= settings.stop_at:
                    log.info(f"greedy check reached {settings.stop_at:g}: stopping after episode {episode + 1}")
                    stopped_early = True
            if (episode + 1) % RECIPE.checkpoint_every == 0 or stopped_early or episode + 1 == n_episodes:
                checkpoint(episode + 1)  # every 50 episodes, and the last, so --resume can go further
            if stopped_early:
                break
    training_seconds = training_time()
    env.close()

    # the best weights, scored greedily over many fresh episodes
    agent.restore_best()
    eval_scores = evaluate(agent, greedy_env, settings.eval_episodes, seed=None if seed is None else seed + 1_000_000)
    if agent.best_weights is not None:
        agent.save_weights(run.path("best.weights.h5"), agent.best_weights)
    write_scores(run.path("scores.csv"), scores)
    threshold = env.spec.reward_threshold
    plots.save(plots.score_curve([row["score"] for row in scores], evaluations=evaluations, target=threshold,
                                 title=f"{settings.env}, preset {settings.preset}"), run.path("scores.png"))
    metrics = {
        "env": settings.env, "preset": settings.preset, "replay": agent.replay_mode,
        "train_every_step": settings.train_every_step,
        "episodes": len(scores), "stopped_early": stopped_early, "updates": agent.updates,
        "epsilon": agent.epsilon, "training_time_s": round(training_seconds, 2),
        "best_check_mean_score": agent.best_score if agent.best_weights is not None else None,
        "eval_episodes": settings.eval_episodes,
        "eval_mean_score": float(eval_scores.mean()), "eval_std_score": float(eval_scores.std()),
        "eval_min_score": float(eval_scores.min()), "eval_max_score": float(eval_scores.max()),
        "reward_threshold": threshold,
        "last_10_training_scores": [row["score"] for row in scores[-10:]],
    }
    if settings.gif:
        path, score = record_episode(agent, make_gym_env(settings.env, render_mode="rgb_array"),
                                     run.path("greedy_episode.gif"), seed=seed)
        metrics.update(gif=str(path), gif_score=score)
    log.info(f"greedy evaluation of the best weights over {settings.eval_episodes} episodes: "
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
