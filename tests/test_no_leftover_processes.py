"""No process outlives its user: a ViZDoom game closes with its environment, and the session's
check (conftest's ``no_process_outlives_the_session``) finds what a test left running."""

import gc
import subprocess
import time

import psutil
import pytest

from conftest import processes_of_this_session

doom = pytest.importorskip("zoo.doom")
pytest.importorskip("vizdoom")


def games() -> list[int]:
    return [child.pid for child in psutil.Process().children(recursive=True) if child.name() == "vizdoom"]


def gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def test_an_env_closes_its_game_when_closed_left_in_a_with_block_or_garbage_collected():
    before = set(games())
    with doom.make_env("simpler_basic") as env:
        env.reset(seed=0)
        [game] = set(games()) - before
    assert gone(game)

    env = doom.make_env("simpler_basic")
    env.reset(seed=0)  # the game starts here
    [game] = set(games()) - before
    del env
    gc.collect()
    assert gone(game)


def test_the_session_check_finds_a_process_whose_parent_is_gone():
    """What the session's end looks for: a process started by a test, orphaned (as a kernel's game)."""
    shell = subprocess.run(["sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!"], capture_output=True, text=True)
    orphan = int(shell.stdout)
    try:
        assert orphan in [process.pid for process in processes_of_this_session()]
    finally:
        psutil.Process(orphan).kill()
    assert gone(orphan)
    assert orphan not in [process.pid for process in processes_of_this_session()]
