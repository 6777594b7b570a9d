"""The DQN's math, written once in ``keras.ops`` over explicit values, compiled per backend.

Networks run through ``model.stateless_call`` on the values passed in, never on their
variables, so one function serves ``jax.jit``, ``tf.function`` and PyTorch (traced, then run
by TorchScript); only the gradient, the optimizer step (``zoo.backend_steps``) and the
compilation (``zoo.dqn.backends``) differ.

- ``targets``: the book's fit targets, Q(s) with the taken action's entry replaced by
  ``r`` on terminal steps and ``r + gamma * max_a' Q(s', a')`` otherwise (with a target
  network and Double DQN where asked).
- ``book replay``: one update per transition, in order, each target from the network as
  the previous update left it (the book's 32 ``predict``/``fit`` pairs);
- ``batched replay``: one minibatch update.
"""

from __future__ import annotations

import numpy as np
from keras import ops

from zoo.dqn import backends


class CompiledQLearning:
    """Acting and replay for one Q-network (and its target network), compiled on the current backend.

    Args:
        model: the online Q-network; its optimizer must be built for its trainable variables.
        target_model: a frozen copy that values next states, or None (the network itself).
        optimizer, loss: the Keras optimizer and loss (``keras.losses.Loss``).
        gamma: discount factor; double_dqn: pick the next action with the online network.
    """

    def __init__(self, model, target_model, optimizer, loss, gamma: float, double_dqn: bool):
        self.model, self.target_model, self.optimizer, self.loss = model, target_model, optimizer, loss
        self.gamma, self.double_dqn = gamma, double_dqn
        self.action_size = int(model.output_shape[-1])
        self.backend = backends.current()

        online = [model.trainable_variables, model.non_trainable_variables]
        target = [target_model.trainable_variables, target_model.non_trainable_variables] if target_model else [[], []]
        learned = [model.trainable_variables, optimizer.variables]
        states = ((None, *model.input_shape[1:]), "float32")
        batch = [states, ((None,), "int32"), ((None,), "float32"), states, ((None,), "float32")]
        xla = self.backend.xla_helps(model)
        compile_ = self.backend.compile
        self.q_values = compile_(lambda *values: ([], self._q(values[:2], values[2])), online, [], [states], False)
        self.greedy_actions = compile_(lambda *values: ([], self._greedy(values[:2], values[2])), online, [],
                                       [states], False)
        self.targets = compile_(lambda *values: ([], self._targets(values[:2], values[2:4], *values[4:])),
                                online + target, [], batch, False)
        # The book's replay is 32 tiny sequential updates: per-op dispatch is most of its cost,
        # which XLA removes by compiling the whole loop (measured 2-4x faster for the Cart-Pole
        # network on a CPU). XLA's CPU convolutions made the Doom network's replay 10x slower,
        # and the batched replay gained nothing, so only this case uses it.
        self.book_replay = compile_(self._book_replay, online + target + [optimizer.variables], learned, batch, xla)
        self.batched_replay = compile_(self._batched_replay, online + target + [optimizer.variables], learned, batch,
                                       False)

    # -- forward passes ------------------------------------------------------------------

    def _q(self, online, states, model=None):
        trainable, non_trainable = online
        q, _ = (model or self.model).stateless_call(trainable, non_trainable, states, training=False)
        return q

    def _greedy(self, online, states):
        return ops.cast(ops.argmax(self._q(online, states), axis=-1), "int32")

    def _targets(self, online, target, states, actions, rewards, next_states, dones):
        if self.target_model is not None:
            q_next = self._q(target, next_states, self.target_model)
        else:
            q_next = self._q(online, next_states)
        if self.double_dqn:
            best = ops.argmax(self._q(online, next_states), axis=-1)
            next_value = ops.take_along_axis(q_next, ops.expand_dims(best, -1), axis=1)[:, 0]
        else:
            next_value = ops.max(q_next, axis=-1)
        target_value = rewards + (1.0 - dones) * self.gamma * next_value
        # the taken action's column (not ops.one_hot: PyTorch's checks its input's values, which
        # a traced replay cannot read)
        taken = ops.expand_dims(actions, -1) == ops.arange(self.action_size, dtype=actions.dtype)
        # each network pass on its own rows, as the book's predict calls: a batch of other
        # rows may round differently, and Adam magnifies that in near-zero gradients
        return ops.where(taken, ops.expand_dims(target_value, -1), self._q(online, states))

    # -- learning ------------------------------------------------------------------------

    def _learn(self, trainable, non_trainable, target, optimizer_values, batch):
        """One gradient step towards targets computed first, with the weights as they stand."""
        target_q = self._targets((trainable, non_trainable), target, *batch)
        states = batch[0]

        def loss_of(params):
            q, _ = self.model.stateless_call(params, non_trainable, states, training=True)
            return self.loss(target_q, q)

        loss, grads = self.backend.value_and_grad(loss_of, trainable)
        trainable, optimizer_values = self.backend.apply(self.optimizer, self.model.trainable_variables,
                                                         optimizer_values, grads, trainable)
        return list(trainable), list(optimizer_values), loss

    def _batched_replay(self, trainable, non_trainable, target_trainable, target_non_trainable, optimizer_values,
                        *batch):
        trainable, optimizer_values, loss = self._learn(trainable, non_trainable,
                                                        (target_trainable, target_non_trainable), optimizer_values,
                                                        batch)
        return [trainable, optimizer_values], loss

    def _book_replay(self, trainable, non_trainable, target_trainable, target_non_trainable, optimizer_values,
                     *batch):
        target = (target_trainable, target_non_trainable)
        count = ops.shape(batch[0])[0]

        def one_transition(i, carry):
            trainable, optimizer_values, total = carry
            row = [ops.slice(column, [i] + [0] * (len(column.shape) - 1), [1, *column.shape[1:]]) for column in batch]
            trainable, optimizer_values, loss = self._learn(trainable, non_trainable, target, optimizer_values, row)
            return trainable, optimizer_values, total + loss

        trainable, optimizer_values, total = ops.fori_loop(
            0, count, one_transition, (list(trainable), list(optimizer_values), ops.zeros((), "float32")))
        return [trainable, optimizer_values], total / ops.cast(count, "float32")


def as_batch(states, actions, rewards, next_states, dones) -> tuple:
    """Transitions as the compiled functions take them."""
    return (np.asarray(states, np.float32), np.asarray(actions, np.int32), np.asarray(rewards, np.float32),
            np.asarray(next_states, np.float32), np.asarray(dones, np.float32))


def book_replay(model, batch, gamma: float = 0.95) -> None:
    """The book's ``agent.train()``: per-sample ``predict`` and ``fit``, verbatim but for Keras 3
    names. The reference that the compiled ``book`` replay is tested and benchmarked against;
    ``batch`` is (states, actions, rewards, next_states, dones)."""
    for state, action, reward, next_state, done in zip(*batch):
        state, next_state = state[None], next_state[None]
        target = reward
        if not done:
            target = reward + gamma * np.amax(model.predict(next_state, verbose=0)[0])
        target_f = model.predict(state, verbose=0)
        target_f[0][action] = target
        model.fit(state, target_f, epochs=1, verbose=0)

