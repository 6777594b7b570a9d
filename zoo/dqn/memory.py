"""The replay memory: transitions in preallocated NumPy arrays, saved and restored with a checkpoint."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from zoo.common import check_positive_int
from zoo.errors import one_line
from zoo.files import atomic_path


class ReplayMemory:
    """A ring buffer of transitions in preallocated NumPy arrays (no deque of tuples).

    Once ``capacity`` transitions are stored, each new one overwrites the oldest, as the
    book's ``deque(maxlen=2000)`` does. ``sample`` draws a whole batch of distinct filled
    slots at once, like the book's ``random.sample``.
    """

    def __init__(self, capacity, state_shape, state_dtype="float32", seed=None):
        self.capacity = check_positive_int("capacity", capacity)
        state_shape = tuple(np.atleast_1d(state_shape).tolist()) if not isinstance(state_shape, tuple) else state_shape
        self.states = np.zeros((capacity, *state_shape), dtype=state_dtype)
        self.next_states = np.zeros_like(self.states)
        self.actions = np.zeros(capacity, dtype=np.int32)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.dones = np.zeros(capacity, dtype=np.float32)
        self.position = 0  # the slot the next transition goes into
        self.size = 0
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        return self.size

    def add(self, state, action, reward, next_state, done):
        i = self.position
        self.states[i] = state
        self.actions[i] = action
        self.rewards[i] = reward
        self.next_states[i] = next_state
        self.dones[i] = float(done)
        self.position = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size):
        """(states, actions, rewards, next_states, dones) of ``batch_size`` distinct stored transitions."""
        check_positive_int("batch_size", batch_size)
        if batch_size > self.size:
            raise ValueError(f"batch_size={batch_size} is invalid: the memory holds only {self.size} transitions")
        index = self.rng.choice(self.size, size=batch_size, replace=False)
        return self.states[index], self.actions[index], self.rewards[index], self.next_states[index], self.dones[index]

    ARRAYS = ("states", "actions", "rewards", "next_states", "dones")

    def save(self, path) -> Path:
        """Write the stored transitions, ``size`` and ``position`` to an ``.npz`` file, atomically.

        Uncompressed: Doom's 10,000 frame pairs (about 108 MB) are written in a second.
        The sampling generator's state is not in it: the agent's checkpoint keeps that.
        """
        # Slots at and beyond ``size`` were never written (the ring only wraps once full): skip them.
        filled = slice(0, self.size)
        with atomic_path(path) as temporary, open(temporary, "wb") as handle:
            np.savez(handle, size=self.size, position=self.position,
                     **{name: getattr(self, name)[filled] for name in self.ARRAYS})
        return Path(path)

    def restore(self, path) -> None:
        """Put back the contents ``save`` wrote; they must fit this memory's capacity and shapes."""
        path = Path(path)
        if not path.is_file():
            raise ValueError(f"{path} is missing")
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in self.ARRAYS}
                size, position = int(data["size"]), int(data["position"])
        except Exception as error:  # a truncated zip fails in several ways, all meaning the same
            raise ValueError(f"{path} is unreadable ({type(error).__name__}: {one_line(error, first_line=True)})") from None
        # A full ring may have wrapped anywhere; a filling one has its next slot right after the last.
        valid_position = 0 <= position < self.capacity if size == self.capacity else position == size
        if not 0 <= size <= self.capacity or not valid_position:
            raise ValueError(f"{path} is invalid: size {size} and position {position} "
                             f"do not fit a memory of capacity {self.capacity}")
        for name, array in arrays.items():
            expected = (size, *getattr(self, name).shape[1:])
            if array.shape != expected:
                raise ValueError(f"{path} is invalid: {name} has shape {array.shape}, expected {expected}")
        for name, array in arrays.items():
            slots = getattr(self, name)
            slots[:size] = array
            slots[size:] = 0
        self.size, self.position = size, position
