"""fp16_storage: exact float16 values are stored as float16 and the graph computes the same."""
import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, numpy_helper

from tessera.fp16_storage import float32_view, store_fp16, write_float32


def test_exact_weights_become_float16_and_results_do_not_change(tmp_path):
    rng = np.random.default_rng(0)
    exact = rng.standard_normal((16, 8)).astype(np.float16).astype(np.float32)  # float16 values
    inexact = (rng.standard_normal((8, 4)) * 1e-3 + 1 / 3).astype(np.float32)  # need float32's bits
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "a"], ["h"]), helper.make_node("MatMul", ["h", "b"], ["y"])], "g",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [2, 16])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [2, 4])],
        [numpy_helper.from_array(exact, "a"), numpy_helper.from_array(inexact, "b")])
    path = tmp_path / "m.onnx"
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=9)  # what export writes
    onnx.save(model, str(path))
    x = rng.standard_normal((2, 16)).astype(np.float32)
    before = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]

    converted, saved = store_fp16(path)

    assert (converted, saved) == (1, exact.nbytes // 2)
    stored = {i.name: i.data_type for i in onnx.load(str(path)).graph.initializer}
    assert stored == {"a__fp16": onnx.TensorProto.FLOAT16, "b": onnx.TensorProto.FLOAT}
    after = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    np.testing.assert_array_equal(after, before)
    nodes, values = float32_view(onnx.load(str(path)).graph)
    assert [n.op_type for n in nodes] == ["MatMul", "MatMul"]
    np.testing.assert_array_equal(values["a"], exact)


def test_write_float32_undoes_the_storage(tmp_path):
    rng = np.random.default_rng(1)
    w = rng.standard_normal((8, 8)).astype(np.float16).astype(np.float32)
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 8])],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 8])],
                              [numpy_helper.from_array(w, "w")])
    path, plain = tmp_path / "m.onnx", tmp_path / "plain.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=9), str(path))
    store_fp16(path)

    write_float32(path, plain)

    model = onnx.load(str(plain))
    assert [n.op_type for n in model.graph.node] == ["MatMul"]
    assert [(i.name, i.data_type) for i in model.graph.initializer] == [("w", onnx.TensorProto.FLOAT)]
    np.testing.assert_array_equal(numpy_helper.to_array(model.graph.initializer[0]), w)
