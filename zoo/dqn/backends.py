"""What differs per Keras backend in the DQN's compiled functions: their compilation. The math
itself (``zoo.dqn.learning``) is written once in ``keras.ops``; its gradients and optimizer
steps are ``zoo.backend_steps``' (``value_and_grad`` and ``apply``, on explicit values), which
each adapter extends with:
- ``xla_helps(model)``: whether ``compile`` should ask for XLA where it is a choice;
- ``compile(function, reads, writes, specs, xla)``: ``function(*values_of_reads, *inputs)``
  returns ``(new values of each group in writes, result)``; the compiled callable takes the
  inputs (``specs``: their ``(shape, dtype)``) as NumPy arrays, writes the new values into
  the variables and returns the result as NumPy.

The backend's library is imported only when the backend is the one Keras runs on.
"""

from __future__ import annotations

import math
import warnings

import keras
import numpy as np

from zoo import backend_steps


def current():
    """The adapter of the backend Keras runs on."""
    return _ADAPTERS[backend_steps.checked_backend("the DQN agent")]()


def _values(groups):
    return [[variable.value for variable in group] for group in groups]


def _assign(groups, values):
    for group, new in zip(groups, values):
        for variable, value in zip(group, new):
            variable.assign(value)


class JaxAdapter(backend_steps.JaxSteps):
    """``jax.jit`` over pure functions; the new values are written back after each call."""

    @staticmethod
    def xla_helps(model) -> bool:
        return False  # jax.jit compiles with XLA anyway

    def compile(self, function, reads, writes, specs, xla):
        jitted = self.jax.jit(function)

        def call(*inputs):
            updates, result = jitted(*_values(reads), *inputs)
            _assign(writes, updates)
            return np.asarray(result)

        return call


class TorchAdapter(backend_steps.TorchSteps):
    """PyTorch, each function traced once per input shape and run as a TorchScript graph.

    Run eagerly, the book's replay (32 updates of a 1,282-parameter network) spent nearly all
    its time in Keras' per-layer and per-op Python, not in arithmetic: about 250 ms a call
    against TensorFlow's 1 ms. ``make_fx`` records the ATen operations one eager call runs
    (forward passes, ``torch.func`` gradients, the optimizer's updates), functionalised (the
    optimizer's in-place updates become new values, so no pass can reorder a read past a
    write), and TorchScript runs the recorded graph without Python between its operations:
    the same operations in the same order, the book's 32 updates one after another.
    ``torch.compile`` was tried first: Keras' stateless scopes broke its graphs into pieces,
    recompiled per transition, slower than eager. A graph TorchScript cannot take runs as
    the recorded FX graph (Python between operations, still without Keras').

    Two rewrites of the recorded graph, each leaving every result bit for bit the same, halve
    what is left (5.7-6.0 ms a call to 3.4 on the Cart-Pole network, docs/benchmarks.md), and a
    rewritten graph is used only if it gives the recorded one's results bit for bit on the example:
    - ``_flatten_foreach``: Keras' PyTorch Adam updates its per-weight tensors with
      ``torch._foreach_*`` operations, which on a CPU loop over the tensors one by one; run on
      one flat buffer per list instead, the optimizer's chain of elementwise operations is one
      operation each, its state kept flat from one transition to the next;
    - ``_views_for_copies``: functionalisation turns slices, reshapes and broadcasts into copies;
      where nothing writes to the base before the copy's last reader, a view does.
    The call runs in ``torch.inference_mode``, which skips autograd's per-operation bookkeeping.
    """

    @staticmethod
    def xla_helps(model) -> bool:
        return False  # no XLA

    def compile(self, function, reads, writes, specs, xla):
        torch = self.torch
        read_sizes, write_sizes = [len(group) for group in reads], [len(group) for group in writes]

        def flat_function(*flat):
            values, inputs = _split(flat[:sum(read_sizes)], read_sizes), flat[sum(read_sizes):]
            updates, result = function(*values, *inputs)
            return [value for group in updates for value in group], result

        traced = {}  # input shapes -> graph: the book's replay unrolls its loop over the batch

        def call(*inputs):
            with torch.inference_mode():
                tensors = [keras.ops.convert_to_tensor(value, dtype) for value, (_, dtype) in zip(inputs, specs)]
                flat = [value for group in _values(reads) for value in group] + tensors
                shapes = tuple(tuple(tensor.shape) for tensor in tensors)
                if shapes not in traced:
                    traced[shapes] = self._trace(flat_function, flat)
                updates, result = traced[shapes](*flat)
                targets = [variable.value for group in writes for variable in group]
                if updates:  # one call for all the writes: Keras' assign costs ~30 us a variable
                    torch._foreach_copy_(targets, list(updates))
            return result.cpu().numpy()

        return call

    def _trace(self, function, example):
        torch = self.torch
        from torch.fx.experimental.proxy_tensor import make_fx

        # traced on copies: tracing runs the function once for real
        recorded = make_fx(torch.func.functionalize(function, remove="mutations_and_views"))(
            *[tensor.clone() for tensor in example])
        graph = _rewritten(recorded, example)
        for node in graph.graph.nodes:
            # TorchScript calls operators by name and picks the overload from the arguments
            if isinstance(node.target, torch._ops.OpOverload):
                node.target = node.target.overloadpacket
        graph.recompile()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # about the FX module's own attributes
                scripted = torch.jit.script(graph)
        except Exception:  # an operation TorchScript lacks: the same graph, run from Python
            return graph
        # Freezing inlines the graph's own constants (the traced scalars and index tensors), which
        # it otherwise reads and copies on every call: fewer operations, the same results.
        return torch.jit.freeze(scripted.eval())


def _rewritten(recorded, example):
    """``recorded`` with :func:`_flatten_foreach` and :func:`_views_for_copies` applied, if on
    ``example`` it gives every result bit for bit as ``recorded`` does; else ``recorded``."""
    import copy

    import torch

    def run(module):
        with torch.inference_mode():
            return [output for output in _flat_outputs(module(*[tensor.clone() for tensor in example]))]

    try:
        rewritten = copy.deepcopy(recorded)
        _flatten_foreach(rewritten, [tensor.clone() for tensor in example])
        _views_for_copies(rewritten)
        same = all(torch.equal(before, after) for before, after in zip(run(recorded), run(rewritten), strict=True))
    except Exception:  # an operation a rewrite got wrong: the graph as recorded
        return recorded
    return rewritten if same else recorded


def _flat_outputs(outputs):
    if isinstance(outputs, (list, tuple)):
        return [tensor for output in outputs for tensor in _flat_outputs(output)]
    return [outputs]


# The ``torch._foreach_*`` overloads rewritten, and the operation each runs on a flat buffer:
# correctly rounded arithmetic only, which gives the same bits on a buffer of any length (a
# vectorised loop and its scalar tail may round a transcendental function differently).
_FLAT_OPERATION = {f"{name}.{overload}": (name, target)
                   for name in ("add", "sub", "mul", "div")
                   for overload, target in (("List", "Tensor"), ("Scalar", "Scalar"), ("Tensor", "Tensor"))}
_FLAT_OPERATION.update({f"{name}.default": (name, "default") for name in ("sqrt", "neg", "abs", "sign")})
_FLAT_OPERATION.update({"maximum.List": ("maximum", "default"), "minimum.List": ("minimum", "default"),
                        "clamp_min.Scalar": ("clamp_min", "default"), "clamp_min.List": ("clamp_min", "Tensor"),
                        "clamp_max.Scalar": ("clamp_max", "default"), "clamp_max.List": ("clamp_max", "Tensor")})


def _flatten_foreach(module, example) -> None:
    """Rewrite each elementwise ``torch._foreach_*`` node of a functional FX graph as one
    operation on flat buffers: its tensor lists concatenated (or, when a list is another such
    node's whole output, that node's flat result, so a chain stays flat), its outputs split
    back into views only where something else reads them. Results are unchanged: the same
    elementwise operation on the same values in the same order."""
    import operator

    import torch
    from torch.fx.passes.shape_prop import ShapeProp

    aten, graph = torch.ops.aten, module.graph
    ShapeProp(module).propagate(*example)
    meta_of = {node: (tuple(node.meta["tensor_meta"].shape), node.meta["tensor_meta"].dtype)
               for node in graph.nodes if hasattr(node.meta.get("tensor_meta"), "shape")}
    piece_of = {}  # a view this pass made -> (the flat buffer it is cut from, its index, how many pieces)
    concatenated = {}

    def flat(elements, before):
        owners = {piece_of.get(element, (None,))[0] for element in elements}
        whole = (len(owners) == 1 and None not in owners
                 and [piece_of[element][1:] for element in elements]
                 == [(index, len(elements)) for index in range(len(elements))])
        if whole:
            return owners.pop()
        key = tuple(elements)
        if key not in concatenated:
            with graph.inserting_before(before):
                concatenated[key] = graph.call_function(
                    aten.cat, ([graph.call_function(aten.reshape, (element, [-1])) for element in elements],))
        return concatenated[key]

    for node in list(graph.nodes):
        target = node.target
        if not (isinstance(target, torch._ops.OpOverload) and target.__name__.startswith("_foreach_")):
            continue
        flat_operation = _FLAT_OPERATION.get(f"{target.overloadpacket.__name__[len('_foreach_'):]}."
                                             f"{target._overloadname}")
        lists = [index for index, arg in enumerate(node.args) if isinstance(arg, (list, tuple))]
        others = [arg for index, arg in enumerate(node.args) if index not in lists]
        elements = [node.args[index] for index in lists]
        if (flat_operation is None or not lists
                or any(not isinstance(element, torch.fx.Node) or element not in meta_of
                       for column in elements for element in column)
                or any(isinstance(other, torch.fx.Node) and meta_of.get(other, ((None,),))[0] != () for other in others)
                or any(len({meta_of[element] for element in row}) != 1 for row in zip(*elements, strict=True))
                or len({meta_of[element][1] for element in elements[0]}) != 1
                or any(user.target is not operator.getitem for user in node.users)):
            # another operation, a list of scalars, a broadcast between tensors, mixed dtypes or
            # an unknown shape: left as it is
            continue
        shapes = [meta_of[element][0] for element in elements[0]]
        with graph.inserting_before(node):
            args = [flat(arg, node) if index in lists else arg for index, arg in enumerate(node.args)]
            name, overload = flat_operation
            result = graph.call_function(getattr(getattr(aten, name), overload), tuple(args), dict(node.kwargs))
            pieces = graph.call_function(aten.split_with_sizes, (result, [math.prod(shape) for shape in shapes]))
            views = []
            for index, shape in enumerate(shapes):
                view = graph.call_function(aten.reshape, (graph.call_function(operator.getitem, (pieces, index)),
                                                          list(shape)))
                piece_of[view], meta_of[view] = (result, index, len(shapes)), (shape, meta_of[elements[0][index]][1])
                views.append(view)
        for user in list(node.users):
            user.replace_all_uses_with(views[user.args[1]])
            graph.erase_node(user)
        graph.erase_node(node)
    graph.eliminate_dead_code()
    module.recompile()


# A functional graph's copying views and the views they copy (not ``t_copy``: a matrix product
# reads a transposed view in another order, which rounds differently). ``reshape``, not ``view``:
# after a permute or a slice made a view, a view of it may be impossible; reshape then copies.
_VIEW_OF_COPY = {"view_copy": "reshape", "unsqueeze_copy": "unsqueeze", "expand_copy": "expand",
                 "slice_copy": "slice", "squeeze_copy": "squeeze", "permute_copy": "permute", "select_copy": "select"}


def _views_for_copies(module) -> None:
    """Make each copying view of a functional FX graph a view, where every reader of it runs
    before the graph's first in-place write and it is not an output: its values are then the
    same when read."""
    import torch

    nodes = list(module.graph.nodes)
    position = {node: index for index, node in enumerate(nodes)}
    first_write = min((position[node] for node in nodes
                       if isinstance(node.target, torch._ops.OpOverload) and node.target._schema.is_mutable),
                      default=len(nodes))
    for node in nodes:
        target = node.target
        if (not isinstance(target, torch._ops.OpOverload) or target.overloadpacket.__name__ not in _VIEW_OF_COPY
                or any(user.op == "output" or position[user] >= first_write for user in node.users)):
            continue
        view = getattr(torch.ops.aten, _VIEW_OF_COPY[target.overloadpacket.__name__])
        if hasattr(view, target._overloadname):  # view_copy.dtype has no reshape to match
            node.target = getattr(view, target._overloadname)
    module.recompile()


def _split(flat, sizes):
    groups, start = [], 0
    for size in sizes:
        groups.append(list(flat[start:start + size]))
        start += size
    return groups


class TensorFlowAdapter(backend_steps.TensorFlowSteps):
    """``tf.function`` (XLA where ``xla``), reading and writing the variables inside the graph."""

    def compile(self, function, reads, writes, specs, xla):
        tf = self.tf

        def graph(*inputs):
            values = [[self.read(variable) for variable in group] for group in reads]
            updates, result = function(*values, *inputs)
            _assign(writes, updates)
            return result

        signature = [tf.TensorSpec(shape, dtype) for shape, dtype in specs]
        # Calling the traced graph directly skips tf.function's per-call argument dispatch,
        # which is most of the cost of a 1,282-parameter forward pass.
        concrete = tf.function(graph, input_signature=signature, jit_compile=xla).get_concrete_function()

        def call(*inputs):
            return concrete(*[tf.constant(value, dtype) for value, (_, dtype) in zip(inputs, specs)]).numpy()

        return call

    def xla_helps(self, model) -> bool:
        """Whether to compile the book's replay with XLA: a dense-only network on a CPU."""
        return (not self.tf.config.list_logical_devices("GPU")
                and all(type(layer) in _XLA_FRIENDLY_LAYERS for layer in model.layers))


# layers whose CPU kernels XLA compiles at least as fast as TensorFlow's own (no convolutions)
_XLA_FRIENDLY_LAYERS = (keras.layers.InputLayer, keras.layers.Dense, keras.layers.Activation,
                        keras.layers.Dropout, keras.layers.Flatten)

_ADAPTERS = {"jax": JaxAdapter, "torch": TorchAdapter, "tensorflow": TensorFlowAdapter}
