"""One optimisation step on the Keras backend that runs: what differs per backend when a model
written once in ``keras.ops`` learns (the gradient, the optimiser's update, JAX's purity).

Each backend's class gives two ways to take a step:

- on the variables themselves, inside a Keras ``fit`` (the GAN's fused ``train_step``):
  ``train_step(model, iteration, *state_and_data)`` runs one ``iteration(data)``, on JAX in a
  ``keras.StatelessScope`` over the state its ``fit`` passes in and expects back, and
  ``descend(loss, weights, optimizer, model)`` takes one step of ``optimizer`` down ``loss()``;
- on explicit values, as pure functions that ``jax.jit``, ``tf.function`` and PyTorch's tracing
  compile (the DQN's replay, compiled by ``zoo.dqn.backends``):
  ``value_and_grad(loss_of, params)`` gives the loss and its gradients with respect to
  ``params`` (native tensors: the values of the network's trainable variables), and
  ``apply(optimizer, variables, optimizer_values, grads, params)`` one optimiser step, returning
  the new ``(params, optimizer_values)``.

The backend's library is imported only when the backend is the one Keras runs on.
"""

from __future__ import annotations

import functools

import keras

BACKENDS = ("tensorflow", "jax", "torch")


def checked_backend(who: str = "this model") -> str:
    """The name of the backend Keras runs on, if it is one of ``BACKENDS``; ``who`` names what
    refuses another."""
    name = keras.backend.backend()
    if name not in BACKENDS:
        raise ValueError(f"{who} trains on TensorFlow, JAX or PyTorch, not on Keras' {name!r} backend")
    return name


def current(who: str = "this model"):
    """The steps of the backend Keras runs on (see :func:`checked_backend`)."""
    return _steps(checked_backend(who))


@functools.cache
def _steps(name: str):
    # one instance a backend: the GAN's eager PyTorch step asks for it twice an iteration
    return {"jax": JaxSteps, "torch": TorchSteps, "tensorflow": TensorFlowSteps}[name]()


def trainer_state(model) -> tuple:
    """The groups, and their order, of the state JAX's ``fit`` passes to ``train_step``: trainable,
    non-trainable, optimiser and metric variables."""
    return (model.trainable_variables, model.non_trainable_variables, model.optimizer.variables,
            model.metrics_variables)


class _StatefulSteps:
    """TensorFlow and PyTorch: ``fit`` calls ``train_step(data)`` and expects the logs."""

    @staticmethod
    def train_step(model, iteration, *state_and_data):
        (data,) = state_and_data
        return iteration(data)


class JaxSteps:
    name = "jax"

    def __init__(self):
        import jax

        self.jax = jax

    # -- on explicit values

    def value_and_grad(self, loss_of, params):
        return self.jax.value_and_grad(loss_of)(params)

    @staticmethod
    def apply(optimizer, variables, optimizer_values, grads, params):
        return optimizer.stateless_apply(optimizer_values, grads, params)

    # -- on the variables, inside fit

    @staticmethod
    def train_step(model, iteration, *state_and_data):
        """JAX's ``fit`` calls ``train_step(state, data)`` (the values of :func:`trainer_state`)
        and expects ``(logs, state)``: the iteration runs in a ``keras.StatelessScope`` over that
        state, which collects the new values."""
        state, data = state_and_data
        variables = trainer_state(model)
        mapping = [pair for group, values in zip(variables, state) for pair in zip(group, values)]
        with keras.StatelessScope(state_mapping=mapping) as scope:
            logs = iteration(data)
        return logs, tuple([scope.get_current_value(v) for v in group] for group in variables)

    def descend(self, loss, weights, optimizer, model):
        """One step of ``optimizer`` on ``weights`` down ``loss()``, which returns the loss and an
        auxiliary result (the predictions); returns them.

        ``jax.value_and_grad`` differentiates a pure function of the weights: ``loss()`` runs in
        a StatelessScope mapping every variable of ``model`` (:func:`trainer_state`) to its
        current value and ``weights`` to the traced ones. What it updated (batch-norm
        statistics, dropout seeds) is assigned after, as the other backends do during the call;
        the optimiser steps statelessly too (a loss-scaling one branches with ``ops.cond``,
        which JAX traces without side effects)."""
        state = [variable for group in trainer_state(model) for variable in group]
        current_values = [(variable, variable.value) for variable in state]
        updated = model.non_trainable_variables

        def scaled_loss(values):
            with keras.StatelessScope(state_mapping=current_values + list(zip(weights, values))) as scope:
                value, aux = loss()
                scaled = optimizer.scale_loss(value)
            return scaled, (value, aux, [scope.get_current_value(v) for v in updated])

        gradient = self.jax.value_and_grad(scaled_loss, has_aux=True)
        weight_values = [weight.value for weight in weights]
        (_, (value, aux, new_values)), gradients = gradient(weight_values)
        new_weights, new_slots = self.apply(optimizer, weights, [slot.value for slot in optimizer.variables],
                                            gradients, weight_values)
        for variable, new_value in zip([*updated, *weights, *optimizer.variables],
                                       [*new_values, *new_weights, *new_slots]):
            variable.assign(new_value)
        return value, aux


class TorchSteps(_StatefulSteps):
    name = "torch"

    def __init__(self):
        import torch

        self.torch = torch

    # -- on explicit values

    def value_and_grad(self, loss_of, params):
        # torch.func rather than autograd.grad: make_fx traces through it
        grads, loss = self.torch.func.grad_and_value(loss_of)(list(params))
        return loss, list(grads)

    @staticmethod
    def apply(optimizer, variables, optimizer_values, grads, params):
        return optimizer.stateless_apply(optimizer_values, grads, params)

    # -- on the variables, inside fit

    def descend(self, loss, weights, optimizer, model):
        """As ``JaxSteps.descend``, eagerly on the variables."""
        torch = self.torch
        value, aux = loss()
        # autograd.grad rather than backward(): no gradient is left in .grad to add to the next phase's
        gradients = torch.autograd.grad(optimizer.scale_loss(value), [weight.value for weight in weights])
        with torch.no_grad():  # the optimiser updates the weights in place, which autograd must not record
            optimizer.apply(list(gradients), weights)
        return value, aux


class TensorFlowSteps(_StatefulSteps):
    """TensorFlow's Keras optimisers refuse ``stateless_apply`` (it clashes with
    ``tf.distribute``), so ``apply`` steps the variables themselves and reads them back."""

    name = "tensorflow"

    def __init__(self):
        import tensorflow as tf

        self.tf = tf

    # -- on explicit values

    def value_and_grad(self, loss_of, params):
        with self.tf.GradientTape() as tape:
            tape.watch(params)
            loss = loss_of(params)
        return loss, tape.gradient(loss, params)

    def apply(self, optimizer, variables, optimizer_values, grads, params):
        # ``params`` and ``optimizer_values`` are the variables' current values: step the variables
        optimizer.apply(grads, variables)
        return [self.read(variable) for variable in variables], [self.read(v) for v in optimizer.variables]

    def read(self, variable):
        return self.tf.convert_to_tensor(variable.value)

    # -- on the variables, inside fit

    def descend(self, loss, weights, optimizer, model):
        """As ``JaxSteps.descend``, in TensorFlow's graph, under a distribution strategy too."""
        tf = self.tf
        with tf.GradientTape() as tape:
            value, aux = loss()
            scaled = optimizer.scale_loss(value)
        optimizer.apply(tape.gradient(scaled, weights), weights)
        # under a distribution strategy Keras' losses come divided by the number of replicas, as
        # gradients summed across them need; the metric is the loss itself (as fit reports it)
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        return (value * replicas if replicas > 1 else value), aux


def loss_scaled(optimizer):
    """``optimizer`` wrapped for mixed float16 (whose gradients underflow without loss scaling)."""
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer)
