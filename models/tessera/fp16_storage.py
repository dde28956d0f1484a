"""Half-size packs: float32 weights that are exactly float16 values are stored as float16, each
followed by one Cast back to float32.

The weights files training writes (weights/*.pt) hold float16 (train_dit.save_weights,
train_vae), so every weight of a shipped graph is a float16 value: storing it as float16 loses
nothing and halves the pack (and the repository growth of every release). The graph still
computes in float32: onnxruntime folds each Cast of a constant at session start, so inference
speed and results are unchanged. An initializer that is not exactly representable (a value that
export's constant folding computed, random test weights) stays float32.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

SUFFIX = "__fp16"  # name of the stored float16 initializer; the Cast's output keeps the original name
MIN_ELEMENTS = 64  # small tensors (norm scales, scalars) are not worth a node each


def store_fp16(path: Path) -> tuple[int, int]:
    """Rewrites the ONNX file at path in place; returns (initializers converted, bytes saved)."""
    model = onnx.load(str(path))
    graph = model.graph
    kept, casts, converted, saved = [], [], 0, 0
    for init in graph.initializer:
        value = numpy_helper.to_array(init) if init.data_type == onnx.TensorProto.FLOAT else None
        if value is None or value.size < MIN_ELEMENTS or not _exact_fp16(value):
            kept.append(init)
            continue
        kept.append(numpy_helper.from_array(value.astype(np.float16), init.name + SUFFIX))
        casts.append(helper.make_node("Cast", [init.name + SUFFIX], [init.name], to=onnx.TensorProto.FLOAT,
                                      name=f"{init.name}{SUFFIX}_cast"))
        converted += 1
        saved += value.nbytes // 2
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = casts + list(graph.node)  # casts first: the graph stays topologically sorted
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    tmp = path.with_name(path.name + ".part")
    onnx.save(model, str(tmp))
    tmp.replace(path)
    return converted, saved


def _exact_fp16(value: np.ndarray) -> bool:
    with np.errstate(over="ignore"):
        return bool(np.array_equal(value.astype(np.float16).astype(np.float32), value))


def float32_view(graph: onnx.GraphProto) -> tuple[list[onnx.NodeProto], dict[str, np.ndarray]]:
    """The graph's nodes without the storage Casts, and its initializers as float32 under the names
    the computing nodes use: what the graph was before store_fp16."""
    values = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    nodes = []
    for node in graph.node:
        if node.op_type == "Cast" and len(node.input) == 1 and node.input[0].endswith(SUFFIX) and node.input[0] in values:
            values[node.output[0]] = values.pop(node.input[0]).astype(np.float32)
        else:
            nodes.append(node)
    return nodes, values


def write_float32(src: Path, dst: Path) -> None:
    """A copy of the graph at src with every float16-stored weight back in float32 and no storage
    Casts, e.g. for onnxruntime's quantiser, which only quantises weights held as initializers."""
    model = onnx.load(str(src))
    nodes, values = float32_view(model.graph)
    used = {name for node in nodes for name in node.input}
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    del model.graph.initializer[:]
    model.graph.initializer.extend(numpy_helper.from_array(v, k) for k, v in values.items() if k in used)
    onnx.save(model, str(dst))
