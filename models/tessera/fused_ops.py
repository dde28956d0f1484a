"""The DiT's rotary embedding, attention and GELU: plain PyTorch math in training, one fused
ONNX Runtime operator each in the exported graph.

Why: at 80 tokens a transformer call is small, and the written-out math exported op by op cost
about 1,500 kernels per call, most of them elementwise or layout work (strided slices and
stacks of the rotary embedding, transposes, scaling and softmax of attention, the seven
kernels of the tanh GELU). ONNX Runtime's contrib operators (domain com.microsoft, in every
onnxruntime build, CPU included) do each in one kernel: RotaryEmbedding, MultiHeadAttention,
FastGelu. The PyTorch path is unchanged, so training, checkpoints and the numbers are the same;
export parity (models/tests/test_export.py) checks that the fused graph computes them.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

MS = "com.microsoft"


def exporting() -> bool:
    return torch.onnx.is_in_onnx_export()


# ---- rotary embedding --------------------------------------------------------------------

def _rope(x, cos, sin):  # x (B, H, N, Dh); cos/sin (N, Dh/2); pairs are interleaved (x0, x1), (x2, x3) ...
    x1, x2 = x[..., 0::2], x[..., 1::2]
    r1 = x1 * cos - x2 * sin
    r2 = x1 * sin + x2 * cos
    return torch.stack([r1, r2], dim=-1).flatten(-2)


class _Rotary(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, cos, sin, position_ids):
        return _rope(x, cos, sin)

    @staticmethod
    def symbolic(g, x, cos, sin, position_ids):
        # Token i reads row i of the per-token tables, so 3D (t, h, w) rotary needs no special op.
        return g.op(f"{MS}::RotaryEmbedding", x, position_ids, cos, sin, interleaved_i=1)


def apply_rope(x, cos, sin, position_ids):
    """x (B, H, N, Dh) rotated by per-token angles; position_ids (B, N) int64 = arange(N), used
    only by the exported operator (row i of cos/sin belongs to token i)."""
    if exporting():
        return _Rotary.apply(x, cos, sin, position_ids)
    return _rope(x, cos, sin)


def token_positions(x, n: int):
    """(B, n) int64 row indices into the rotary tables, for the exported RotaryEmbedding."""
    return torch.arange(n, device=x.device).unsqueeze(0).expand(x.shape[0], n)


# ---- attention -------------------------------------------------------------------------------

def _attention(q, k, v, key_mask):  # (B, H, S, Dh), (B, H, L, Dh) x2, (B, L) or None -> (B, S, H * Dh)
    bias = None if key_mask is None else ((1.0 - key_mask) * -1e4)[:, None, None, :]
    o = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
    B, H, S, Dh = o.shape
    return o.transpose(1, 2).reshape(B, S, H * Dh)


class _Attention(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q, k, v, key_mask, heads: int):
        return _attention(q, k, v, key_mask)

    @staticmethod
    def symbolic(g, q, k, v, key_mask, heads: int):
        # MultiHeadAttention takes the query as (B, S, H * Dh) and key / value as (B, H, L, Dh).
        perm = g.op("Transpose", q, perm_i=[0, 2, 1, 3])
        query = g.op("Reshape", perm, g.op("Constant", value_t=torch.tensor([0, 0, -1], dtype=torch.int64)))
        if key_mask is None or key_mask.node().mustBeNone():
            return g.op(f"{MS}::MultiHeadAttention", query, k, v, num_heads_i=heads)
        none = g.op("prim::Constant").setType(torch._C.OptionalType.ofTensor())
        # A 0 in the key padding mask adds mask_filter_value (-1e4, as in training) to the score.
        mask = g.op("Cast", key_mask, to_i=6)  # int32
        return g.op(f"{MS}::MultiHeadAttention", query, k, v, none, mask, num_heads_i=heads, mask_filter_value_f=-1e4)


def attention(q, k, v, key_mask=None):
    """Scaled dot-product attention over heads: q (B, H, S, Dh), k / v (B, H, L, Dh), key_mask
    (B, L) with 1 for keys to attend to and 0 for padding (-1e4 on their scores); -> (B, S, H * Dh)."""
    if exporting():
        return _Attention.apply(q, k, v, key_mask, int(q.shape[1]))  # heads: a static attribute
    return _attention(q, k, v, key_mask)


# ---- GELU ---------------------------------------------------------------------------------

class _FastGelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return F.gelu(x, approximate="tanh")

    @staticmethod
    def symbolic(g, x):
        return g.op(f"{MS}::FastGelu", x)  # the same tanh formula


class GeluTanh(torch.nn.Module):
    """nn.GELU(approximate="tanh"), exported as one FastGelu."""

    def forward(self, x):
        return _FastGelu.apply(x) if exporting() else F.gelu(x, approximate="tanh")
