"""Beyond the book: a deep Q-network learns to shoot the monster in Doom (ViZDoom).

In the style of ViZDoom's own learning examples: scenario simpler_basic, grey frames
down-sampled to 30x45, each action (a combination of the buttons) held for 12 frames;
epochs of --steps-per-epoch learning steps (one minibatch update per environment step),
then --eval-episodes greedy episodes, with train and test score statistics each epoch.

    python scripts/train_doom_dqn.py                                        # 20 x 2,000 steps
    python scripts/train_doom_dqn.py --epochs 1 --steps-per-epoch 200 --eval-episodes 2
    python scripts/train_doom_dqn.py --scenario basic --record              # + a GIF

Writes scores.csv and scores.png (per epoch), weights/ (the network after every epoch),
checkpoints/ (the agent with its replay memory; --resume continues), model.keras (the last
epoch's network), metrics.json and a RESULT line with the last epoch's greedy test score.
A trained agent plays with `dli-zoo play doom_simpler_basic` (or the run's folder) instead.
"""

import logging
import time
from functools import partial

import numpy as np

from zoo import cli, doom, recipes, stopping  # TensorFlow loads only once the arguments are good
from zoo.files import atomic_path

MODEL = "doom_q_network"

log = logging.getLogger("zoo")


def make_parser(recipe):
    parser = cli.make_parser(MODEL, __doc__, groups=("run", "device"), strategy=False, precision=False)
    rl = parser.add_argument_group("reinforcement learning")
    rl.add_argument("--scenario", default=None, help=f"a vizdoom scenario name or a path to a .cfg file "
                                                      f"(default: {recipe.env})")
    rl.add_argument("--epochs", type=cli.positive_int, default=recipe.epochs,
                    help="epochs in all; a resumed run trains on to this, exploring as its first plan said")
    rl.add_argument("--steps-per-epoch", type=cli.positive_int, default=recipe.steps_per_epoch,
                    help="learning steps per epoch, one minibatch update each")
    rl.add_argument("--eval-episodes", type=cli.positive_int, default=recipe.test_episodes,
                    help="greedy episodes scored after each epoch")
    cli.renamed_flag(parser, "--test-episodes", "--eval-episodes N (greedy episodes to score)")
    rl.add_argument("--frame-repeat", type=cli.positive_int, default=None,
                    help=f"frames each action is held (default: {doom.FRAME_REPEAT})")
    rl.add_argument("--learning-rate", type=cli.positive_float, default=recipe.agent["learning_rate"],
                    help="RMSprop's")
    rl.add_argument("--batch-size", type=cli.positive_int, default=recipe.batch_size,
                    help="transitions per minibatch update")
    rl.add_argument("--record", action="store_true", help="save greedy_episode.gif of the trained agent")
    cli.add_agent_weights_flags(parser, rl)
    parser.allow_on_resume("record")  # the GIF is made afresh; training is untouched
    return parser


def stats(scores) -> dict:
    if not len(scores):
        return {"mean": None, "std": None, "min": None, "max": None}
    scores = np.asarray(scores, dtype=float)
    return {"mean": float(scores.mean()), "std": float(scores.std()), "min": float(scores.min()), "max": float(scores.max())}


def main():
    recipe = recipes.get(MODEL)
    parser = make_parser(recipe)
    args = cli.parse_args(parser, load_backend=False)  # the flags checked first: a refusal is instant
    # resolved before the Run records them, as runs always recorded them
    args.scenario = args.scenario or recipe.env
    args.frame_repeat = args.frame_repeat or doom.FRAME_REPEAT

    cli.start_backend(args)
    from zoo import training
    from zoo import plots
    from zoo.dqn import DQNAgent, build_doom_q_network, evaluate, load_checkpoint, record_episode, save_checkpoint

    # the recipe's values too: a resumed run whose zoo changed them is refused
    run = training.Run(args, MODEL, monitor="test_mean", mode="max",
                       settings={"recipe": {**recipe.agent_options(), "resolution": list(doom.RESOLUTION)}})

    # the game
    def make_env(render_mode=None):
        try:
            return doom.make_env(args.scenario, args.frame_repeat, doom.RESOLUTION, render_mode=render_mode)
        except doom.DoomUnavailable as error:
            raise cli.UsageError(str(error)) from None

    env = make_env()

    # the agent: ViZDoom's example settings; epsilon follows doom.epsilon_schedule per epoch
    agent_settings = {**recipe.agent_options(), "learning_rate": args.learning_rate, "batch_size": args.batch_size,
                      "seed": args.seed}

    def new_agent():
        # --weights (a defining setting: it changes what the run learns) before the agent copies the network
        model = build_doom_q_network((*doom.RESOLUTION, 1), int(env.action_space.n), weights=args.weights)
        return DQNAgent(model, **agent_settings)

    agent = run.restore(start=new_agent,
                        resume=lambda folder, progress: load_checkpoint(folder, **agent_settings))
    done_before = run.progress.get("epochs_done", 0)
    rows = list(run.progress.get("rows", []))
    earlier_training_time = run.progress.get("training_time_s", 0.0)
    log.info(f"{args.scenario}: {env.action_space.n} actions, {args.epochs} epochs x {args.steps_per_epoch} steps, "
             f"{args.eval_episodes} test episodes per epoch")

    segment_started = time.perf_counter()

    def training_time():
        return earlier_training_time + time.perf_counter() - segment_started

    # epsilon decays over the epochs first planned: a run resumed with more epochs keeps exploring as
    # it did, then trains on at the schedule's last value
    planned_epochs = run.notes.setdefault("planned_epochs", args.epochs)
    seed = args.seed
    with stopping.deferred():  # SIGTERM/SIGINT: stop at the next step, not inside the backend
        for epoch in range(done_before, args.epochs):
            epoch_started = time.perf_counter()
            agent.epsilon = doom.epsilon_schedule(epoch, planned_epochs)
            observation, _ = env.reset(seed=None if seed is None else seed + epoch)
            train_scores, losses, score = [], [], 0.0
            for _ in range(args.steps_per_epoch):
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
            test_scores = evaluate(agent, make_env, args.eval_episodes, seed=None if seed is None else 10_000 + 1000 * epoch,
                                   parallel=1)
            train, test = stats(train_scores), stats(test_scores)
            row = {"epoch": epoch + 1, "epsilon": round(agent.epsilon, 4), "train_episodes": len(train_scores),
                   **{f"train_{k}": v for k, v in train.items()}, **{f"test_{k}": v for k, v in test.items()},
                   "loss": float(np.mean(losses)) if losses else None,
                   "train_seconds": round(train_seconds, 2), "seconds": round(time.perf_counter() - epoch_started, 2)}
            rows.append(row)
            fmt = lambda s: "n/a" if s["mean"] is None else f"{s['mean']:.1f} +/- {s['std']:.1f}, min {s['min']:.0f}, max {s['max']:.0f}"  # noqa: E731
            print(f"epoch {epoch + 1}/{args.epochs}  eps {agent.epsilon:.2f}  train ({len(train_scores)} episodes): {fmt(train)}  "
                  f"test ({args.eval_episodes}): {fmt(test)}  [{row['seconds']:.0f} s]", flush=True)
            write_scores(run.path("scores.csv"), rows)

            agent.save_weights(run.path("weights") / f"epoch_{epoch + 1:03d}.weights.h5")  # the network after every epoch
            # the agent with its replay memory (a resumed run learns from it at once), into a snapshot
            # folder of its own so a kill mid-save keeps the previous one; progress as a function: its
            # training time then includes the save
            run.checkpoint(partial(save_checkpoint, agent),
                           lambda: {"epochs_done": epoch + 1, "training_time_s": round(training_time(), 2), "rows": rows},
                           snapshot=True)
    env.close()
    training_seconds = training_time()

    plots.save(plots.epoch_score_curve(rows, title=f"ViZDoom {args.scenario}",
                                       target=recipe.target_score if args.scenario == recipe.env else None),
               run.path("scores.png"))
    last = rows[-1] if rows else {}
    metrics = {"scenario": args.scenario, "epochs": len(rows), "steps_per_epoch": args.steps_per_epoch,
               "eval_episodes": args.eval_episodes, "frame_repeat": args.frame_repeat, "updates": agent.updates,
               "training_time_s": round(training_seconds, 2),
               **{key: last.get(key) for key in ("test_mean", "test_std", "test_min", "test_max",
                                                 "train_mean", "train_std", "train_min", "train_max")},
               "best_test_mean": max((r["test_mean"] for r in rows), default=None)}
    if args.record:
        path, score = record_episode(agent, make_env(render_mode="rgb_array"), run.path("greedy_episode.gif"),
                                     fps=35 // args.frame_repeat + 1, seed=seed)
        metrics.update(record=str(path), record_score=score)
    run.finish(agent.model, metrics)


def write_scores(path, rows):
    columns = list(rows[0])
    lines = [",".join(columns)] + [",".join("" if row[c] is None else str(row[c]) for c in columns) for row in rows]
    with atomic_path(path) as temporary:
        temporary.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    cli.main(main)
