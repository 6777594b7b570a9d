"""Beyond the book: a deep Q-network learns to shoot the monster in Doom (ViZDoom).

In the style of ViZDoom's own learning examples: scenario simpler_basic, grey frames
down-sampled to 30x45, each action (a combination of the buttons) held for 12 frames;
epochs of --steps-per-epoch learning steps (one minibatch update per environment step),
then --test-episodes greedy episodes, with train and test score statistics each epoch.

    python scripts/train_doom_dqn.py                                        # 20 x 2,000 steps
    python scripts/train_doom_dqn.py --epochs 1 --steps-per-epoch 200 --test-episodes 2
    python scripts/train_doom_dqn.py --scenario basic --gif                 # + a GIF

Writes scores.csv and scores.png (per epoch), weights/ (the network after every epoch),
checkpoints/ (the agent with its replay memory; --resume continues), model.keras (the last
epoch's network), metrics.json and a RESULT line with the last epoch's greedy test score.
A trained agent plays with `dli-zoo play doom_simpler_basic` (or the run's folder) instead.
"""

import logging
import time
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

import numpy as np

from zoo import cli, config, doom, recipes, stopping  # TensorFlow loads only once the settings are good
from zoo.commands import play
from zoo.files import atomic_path

MODEL = "doom_q_network"
RECIPE = recipes.get(MODEL)
RL = "reinforcement learning"

log = logging.getLogger("zoo")


@dataclass(frozen=True)
class Settings(config.Run, config.Device):
    """ViZDoom's learning example, the recipe's, is the defaults: ``Settings()`` is the preset."""

    model: ClassVar[str] = MODEL
    renamed: ClassVar[dict[str, str]] = {
        "--record": "--gif (save greedy_episode.gif in the run folder)",
        "--eval-episodes": "--test-episodes N (greedy test episodes after every epoch)"}
    moved: ClassVar[dict[str, str]] = play.SCRIPT_FLAGS

    scenario: str = config.setting(RECIPE.env, "a vizdoom scenario name or a path to a .cfg file", group=RL)
    epochs: int = config.setting(
        RECIPE.epochs, "epochs in all, each --steps-per-epoch learning steps and its test episodes; a resumed run "
                       "trains on to this, exploring as its first plan said", parse=cli.positive_int, on_resume=True,
        group=RL)
    steps_per_epoch: int = config.setting(
        RECIPE.steps_per_epoch, "learning steps per epoch: one environment step and one minibatch update each",
        parse=cli.positive_int, group=RL)
    test_episodes: int = config.setting(RECIPE.test_episodes, "greedy test episodes after every epoch",
                                        parse=cli.positive_int, group=RL)
    frame_repeat: int = config.setting(RECIPE.frame_repeat, "frames each action is held", parse=cli.positive_int,
                                       group=RL)
    learning_rate: float = config.setting(RECIPE.agent["learning_rate"], "RMSprop's", parse=cli.positive_float,
                                          group=RL)
    batch_size: int = config.setting(RECIPE.batch_size, "transitions per replay minibatch", parse=cli.positive_int,
                                     group=RL)
    gif: bool = config.setting(False, "save greedy_episode.gif of the trained agent in the run folder",
                               on_resume=True, group=RL)  # the GIF is made afresh; training is untouched
    weights: str | None = config.setting(None, f"start the training run from trained weights: {config.WEIGHTS_HELP}",
                                         parse=cli.weights_source, metavar="NAME|PATH", group=RL)


def stats(scores) -> dict:
    if not len(scores):
        return {"mean": None, "std": None, "min": None, "max": None}
    scores = np.asarray(scores, dtype=float)
    return {"mean": float(scores.mean()), "std": float(scores.std()), "min": float(scores.min()),
            "max": float(scores.max())}


def described(scores: dict) -> str:
    if scores["mean"] is None:
        return "n/a"
    return f"{scores['mean']:.1f} +/- {scores['std']:.1f}, min {scores['min']:.0f}, max {scores['max']:.0f}"


def main():
    settings = config.parse(Settings, __doc__, load_backend=False)  # the flags checked first: a refusal is instant
    cli.start_backend(settings)
    from zoo import plots, training
    from zoo.dqn import DQNAgent, build_doom_q_network, evaluate, load_checkpoint, record_episode, save_checkpoint

    # the recipe's values too: a resumed run whose zoo changed them is refused
    run = training.Run(settings, MODEL, monitor="test_mean", mode="max",
                       settings={"recipe": {**RECIPE.agent_options(), "resolution": list(doom.RESOLUTION)}})

    # the game
    def make_env(render_mode=None):
        try:
            return doom.make_env(settings.scenario, settings.frame_repeat, doom.RESOLUTION, render_mode=render_mode)
        except doom.DoomUnavailable as error:
            raise cli.UsageError(str(error)) from None

    env = make_env()

    # the agent: ViZDoom's example settings; epsilon follows doom.epsilon_schedule per epoch
    agent_settings = {**RECIPE.agent_options(), "learning_rate": settings.learning_rate,
                      "batch_size": settings.batch_size, "seed": settings.seed}

    def new_agent():
        # --weights (a defining setting: it changes what the run learns) before the agent copies the network
        model = build_doom_q_network((*doom.RESOLUTION, 1), int(env.action_space.n), weights=settings.weights)
        return DQNAgent(model, **agent_settings)

    agent = run.restore(start=new_agent,
                        resume=lambda folder, progress: load_checkpoint(folder, **agent_settings))
    done_before = run.progress.get("epochs_done", 0)
    rows = list(run.progress.get("rows", []))
    earlier_training_time = run.progress.get("training_time_s", 0.0)
    log.info(f"{settings.scenario}: {env.action_space.n} actions, {settings.epochs} epochs x "
             f"{settings.steps_per_epoch} steps, {settings.test_episodes} test episodes per epoch")

    segment_started = time.perf_counter()

    def training_time():
        return earlier_training_time + time.perf_counter() - segment_started

    # epsilon decays over the epochs first planned: a run resumed with more epochs keeps exploring as
    # it did, then trains on at the schedule's last value
    planned_epochs = run.notes.setdefault("planned_epochs", settings.epochs)
    seed = settings.seed
    # SIGTERM/SIGINT: stop at the next step, not inside the backend; the game closed even then (each
    # ViZDoom game is a process of its own, and it ignores SIGTERM)
    with closing(env), stopping.deferred():
        for epoch in range(done_before, settings.epochs):
            epoch_started = time.perf_counter()
            agent.epsilon = doom.epsilon_schedule(epoch, planned_epochs)
            observation, _ = env.reset(seed=None if seed is None else seed + epoch)
            train_scores, losses, score = [], [], 0.0
            for _ in range(settings.steps_per_epoch):
                stopping.check()  # a stop signal: here, between two steps
                action = agent.act(observation)
                next_observation, reward, terminated, truncated, _ = env.step(action)
                score += reward
                # vizdoom reports a timeout as terminated and truncated: only a real end stops bootstrapping
                agent.remember(observation, action, reward, next_observation, terminated and not truncated)
                loss = agent.train(decay=False)  # one minibatch update per environment step
                if loss is not None:
                    losses.append(loss)
                if terminated or truncated:
                    train_scores.append(score)
                    observation, _ = env.reset()
                    score = 0.0
                else:
                    observation = next_observation
            train_seconds = time.perf_counter() - epoch_started
            test_scores = evaluate(agent, make_env, settings.test_episodes,
                                   seed=None if seed is None else 10_000 + 1000 * epoch, parallel=1)
            train, test = stats(train_scores), stats(test_scores)
            row = {"epoch": epoch + 1, "epsilon": round(agent.epsilon, 4), "train_episodes": len(train_scores),
                   **{f"train_{k}": v for k, v in train.items()}, **{f"test_{k}": v for k, v in test.items()},
                   "loss": float(np.mean(losses)) if losses else None,
                   "train_seconds": round(train_seconds, 2), "seconds": round(time.perf_counter() - epoch_started, 2)}
            rows.append(row)
            log.info(f"epoch {epoch + 1}/{settings.epochs}  eps {agent.epsilon:.2f}  train ({len(train_scores)} "
                     f"episodes): {described(train)}  test ({settings.test_episodes}): {described(test)}  "
                     f"[{row['seconds']:.0f} s]")
            write_scores(run.path("scores.csv"), rows)

            # the network after every epoch
            agent.save_weights(run.path("weights") / f"epoch_{epoch + 1:03d}.weights.h5")
            # the agent with its replay memory (a resumed run learns from it at once), into a snapshot
            # folder of its own so a kill mid-save keeps the previous one; progress as a function: its
            # training time then includes the save
            run.checkpoint(partial(save_checkpoint, agent),
                           lambda: {"epochs_done": epoch + 1, "training_time_s": round(training_time(), 2),
                                    "rows": rows}, snapshot=True)
    training_seconds = training_time()

    plots.save(plots.epoch_score_curve(rows, title=f"ViZDoom {settings.scenario}",
                                       target=RECIPE.target_score if settings.scenario == RECIPE.env else None),
               run.path("scores.png"))
    last = rows[-1] if rows else {}
    metrics = {"scenario": settings.scenario, "epochs": len(rows), "steps_per_epoch": settings.steps_per_epoch,
               "test_episodes": settings.test_episodes, "frame_repeat": settings.frame_repeat,
               "updates": agent.updates,
               "training_time_s": round(training_seconds, 2),
               **{key: last.get(key) for key in ("test_mean", "test_std", "test_min", "test_max",
                                                 "train_mean", "train_std", "train_min", "train_max")},
               "best_test_mean": max((r["test_mean"] for r in rows), default=None)}
    if settings.gif:
        path, score = record_episode(agent, make_env(render_mode="rgb_array"), run.path("greedy_episode.gif"),
                                     fps=35 // settings.frame_repeat + 1, seed=seed)
        metrics.update(gif=str(path), gif_score=score)
    run.finish(agent.model, metrics)


def write_scores(path, rows):
    columns = list(rows[0])
    lines = [",".join(columns)] + [",".join("" if row[c] is None else str(row[c]) for c in columns) for row in rows]
    with atomic_path(path) as temporary:
        temporary.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    cli.main(main)
