"""``dli-zoo play``: a trained Cart-Pole or Doom agent plays greedy episodes, headless.

    dli-zoo play cartpole_v0 --episodes 5
    dli-zoo play doom_simpler_basic --episodes 3 --record doom.gif
    dli-zoo play model_output/cartpole_q_network          # a finished run's model.keras

The game (Cart-Pole's gymnasium environment; Doom's scenario and frame repeat) and the network's
width are those the weights were trained with, as their card or their run's state.json says,
unless given. Trains nothing and writes nothing but the GIF that --record asks for.
"""

from __future__ import annotations

import logging

from zoo import cli
from zoo.commands import options

log = logging.getLogger("zoo")

CARTPOLE, DOOM = "cartpole_q_network", "doom_q_network"
MODELS = (CARTPOLE, DOOM)
EPISODES = 10
GAME_FLAGS = {CARTPOLE: ("env", "n_dense"), DOOM: ("scenario", "frame_repeat")}  # each game's own settings
USAGE = "dli-zoo play MODEL/NAME|FILE|RUN_DIR --episodes N [--record FILE.gif]"
# the training scripts' old play mode and its flags: refused there in one line naming this command
SCRIPT_FLAGS = {flag: f"playing a trained agent is `{USAGE}`"
                for flag in ("--play", "--from", "--record-to", "--episodes-to-play")}


def make_parser():
    made = options.parser("play", __doc__.strip().splitlines()[0])
    options.add_source(made, MODELS, "the trained agent")
    made.add_argument("--episodes", type=cli.positive_int, default=EPISODES, help="greedy episodes to score")
    made.add_argument("--seed", type=cli.seed, default=None, help="seed the episodes, so a play is repeatable")
    made.add_argument("--record", default=None, metavar="FILE.gif",
                      help="also play one greedy episode into this GIF (or .mp4, with imageio's ffmpeg plugin)")
    made.add_argument("--overwrite", action="store_true", help="replace the --record file if it exists")
    cartpole = made.add_argument_group("Cart-Pole")
    cartpole.add_argument("--env", default=None, help="a gymnasium environment (default: the weights' own)")
    cartpole.add_argument("--n-dense", type=cli.positive_int, default=None,
                          help="units of each hidden layer (default: the weights' own)")
    doom = made.add_argument_group("Doom")
    doom.add_argument("--scenario", default=None, help="a vizdoom scenario or .cfg file (default: the weights' own)")
    doom.add_argument("--frame-repeat", type=cli.positive_int, default=None,
                      help="frames each action is held (default: the weights' own)")
    return made


def summary(scores) -> dict:
    return {"mean": float(scores.mean()), "std": float(scores.std()), "min": float(scores.min()),
            "max": float(scores.max())}


def cartpole_game(args, source):
    """Cart-Pole: the environment factory, the agent's network, and what the RESULT says of the game."""
    from zoo import recipes
    from zoo.dqn import build_cartpole_q_network, make_gym_env

    recipe = recipes.get(CARTPOLE)
    trained = source.settings
    env_id = args.env or trained.get("env") or recipe.env
    n_dense = (args.n_dense or trained.get("n_dense") or (trained.get("recipe") or {}).get("n_dense")
               or recipe.presets[next(iter(recipe.presets))].n_dense)

    def make_env(render_mode=None):
        return make_gym_env(env_id, render_mode=render_mode)

    env = make_env()
    state_size, action_size = env.observation_space.shape[0], int(env.action_space.n)
    env.close()
    network = build_cartpole_q_network(state_size, action_size, n_dense=n_dense, weights=source.weights)
    return make_env, network, {"env": env_id, "n_dense": n_dense}, None, 30


def doom_game(args, source):
    """Doom: the environment factory, the agent's network, and what the RESULT says of the game."""
    from zoo import doom, recipes
    from zoo.dqn import build_doom_q_network

    trained = source.settings
    scenario = args.scenario or trained.get("scenario") or recipes.get(DOOM).env
    frame_repeat = args.frame_repeat or trained.get("frame_repeat") or doom.FRAME_REPEAT

    def make_env(render_mode=None):
        try:
            return doom.make_env(scenario, frame_repeat, doom.RESOLUTION, render_mode=render_mode)
        except doom.DoomUnavailable as error:
            raise cli.UsageError(str(error)) from None

    env = make_env()
    action_size = int(env.action_space.n)
    env.close()
    network = build_doom_q_network((*doom.RESOLUTION, 1), action_size, weights=source.weights)
    # one environment at a time: each ViZDoom game is a process of its own
    return make_env, network, {"scenario": scenario, "frame_repeat": frame_repeat}, 1, 35 // frame_repeat + 1


def main(argv) -> None:
    made = make_parser()
    args = cli.parse_args(made, argv, load_backend=False)  # the flags checked first: a refusal is instant
    record = options.new_output(args.record, "--record", args.overwrite, (".gif", ".mp4")) if args.record else None
    source = options.source_of(args, MODELS, "play")
    other = GAME_FLAGS[DOOM if source.model == CARTPOLE else CARTPOLE]
    for dest in sorted(other):
        if dest in args.typed:
            made.error(f"{args.flags[dest]} is for {'Doom' if source.model == CARTPOLE else 'Cart-Pole'}; "
                       f"{source.label} is a {source.model}")
    options.start(args, args.seed)
    from zoo.dqn import DQNAgent, evaluate, record_episode

    game = cartpole_game if source.model == CARTPOLE else doom_game
    make_env, network, described, parallel, fps = game(args, source)
    agent = DQNAgent(network, seed=args.seed)
    scores = evaluate(agent, make_env, args.episodes, seed=args.seed, parallel=parallel)
    result = {**source.record(), **described, "episodes": args.episodes, **summary(scores), "seed": args.seed}
    log.info(f"{next(iter(described.values()))}: {args.episodes} greedy episodes with {source.label}: mean "
             f"{result['mean']:.1f} (std {result['std']:.1f}, min {result['min']:.0f}, max {result['max']:.0f})")
    if record is not None:
        path, score = record_episode(agent, make_env(render_mode="rgb_array"), record, fps=fps, seed=args.seed)
        result.update(record=str(path), record_score=score)
        log.info(f"wrote {path}: one greedy episode, score {score:.0f}")
    options.print_result(result)
