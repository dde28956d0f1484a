"""The shipped pack is complete and self-describing."""
import json
from pathlib import Path

import onnx
import pytest

PACK = Path(__file__).resolve().parent.parent / "packs" / "tessera-tiny"


@pytest.mark.skipif(not (PACK / "model_index.json").exists(), reason="no pack exported yet")
def test_pack_layout_and_io_names():
    index = json.loads((PACK / "model_index.json").read_text())
    assert index["format"] == 1 and index["opset"] == 18
    assert len(index["latent_rgb_projection"]["weight"]) == index["latent_channels"]
    for f in ["README.md", "tokenizer/tokenizer.json", "scheduler/scheduler_config.json"]:
        assert (PACK / f).exists(), f
    for name, g in index["graphs"].items():
        model = onnx.load(str(PACK / g["path"]), load_external_data=False)
        assert [i.name for i in model.graph.input] == g["inputs"], name
        assert [o.name for o in model.graph.output] == g["outputs"], name
        assert any(op.version == index["opset"] for op in model.opset_import if op.domain in ("", "ai.onnx"))
    tok = json.loads((PACK / "tokenizer/tokenizer.json").read_text())
    assert tok["model"]["type"] == "WordLevel" and tok["model"]["vocab"]["[PAD]"] == 0
