"""The Python environment works end to end: torch -> ONNX -> onnxruntime."""
import numpy as np
import onnxruntime as ort
import torch


def test_tiny_module_exports_and_matches(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.GELU(), torch.nn.Linear(16, 4)).eval()
    x = torch.randn(3, 8)
    path = tmp_path / "tiny.onnx"
    torch.onnx.export(model, (x,), str(path), input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "B"}, "y": {0: "B"}}, opset_version=18, dynamo=False)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x2 = torch.randn(5, 8)
    got = sess.run(None, {"x": x2.numpy()})[0]
    want = model(x2).detach().numpy()
    assert got.shape == (5, 4)
    assert np.abs(got - want).max() < 1e-5


def test_bf16_autocast_only_with_amx():
    """bfloat16 autocast is chosen on AMX CPUs only: AVX512-BF16 without AMX measured slower than fp32."""
    from tessera import runtime

    amx = "flags : fpu avx512f avx512_bf16 amx_bf16 amx_tile amx_int8"
    no_amx = "flags : fpu avx512f avx512_bf16 avx512_fp16"
    assert runtime.cpu_has_bf16(amx)
    assert not runtime.cpu_has_bf16(no_amx)
    assert not runtime.cpu_has_bf16("flags : fpu avx2")
