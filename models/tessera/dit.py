"""Text encoder and diffusion transformer (DiT) over spacetime patches of video latents.

Shaped after DiT's models.py and nanoGPT: a config dataclass, small modules, shapes in
comments, adaLN-zero init. The model knows nothing of sampling (see sampling.py).

Conditioning:
- timestep t in [0, 1] (t = 1 is pure noise) and the masked mean of the text tokens
  (the pooled caption, as SD3 does), and optionally learnt queries' readings of the text tokens
  (CaptionPool), modulate every block through adaLN-zero;
- every block cross-attends to the text tokens (padding masked);
- known frames arrive as extra input channels: the clean context latents and a mask.
Positions are 3D rotary embeddings over (t, h, w) of each patch, so any latent
T x H x W works without retraining position tables.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from .fused_ops import GeluTanh, apply_rope, attention, token_positions


@dataclass
class TextConfig:
    vocab_size: int = 64  # word-level vocabulary incl. [PAD] [UNK] [BOS]
    max_length: int = 32  # tokens per caption incl. [BOS]
    dim: int = 256  # width of the text embeddings the DiT attends to
    depth: int = 2  # transformer layers
    heads: int = 4
    # A second, per-word embedding added after the final norm: a direct path from each word to the
    # DiT. Trained jointly, 0.5.0's two layers washed the direction words out (the outputs for
    # "moving left" and "moving right" differed by 0.01 at a norm of 9.4, colours by 4-9), so the
    # DiT never received the direction and moved objects any way.
    word_skip: bool = False


@dataclass
class DiTConfig:
    latent_channels: int = 32  # C of the autoencoder latent
    patch: tuple[int, int, int] = (1, 2, 2)  # (t, h, w) latent cells per token
    dim: int = 256  # token width
    depth: int = 8  # transformer blocks
    heads: int = 4  # attention heads (head dim = dim / heads)
    mlp_ratio: float = 4.0
    text_dim: int = 256  # must equal TextConfig.dim
    rope_theta: float = 100.0  # rotary base; positions are small integers
    # Rotary positions of h and w in units of this many tokens: 0.5 after refining 1x4x4 patches
    # to 1x2x2 (patch_resize.py), so the blocks keep the distances they were trained on.
    position_scale: float = 1.0
    # Where a token sits in the clip, as fractions of its height, width and duration, added to the
    # patch embeddings (zero-initialised, so a warm start begins unchanged). Rotary positions are
    # relative only, and from pure noise a model that knows only relative positions can predict
    # no more than a mean clip that is the same everywhere, the same for "moving left" and "moving
    # right"; knowing that frame 0 and the left edge are where a rightward object starts gives
    # the direction words a first-order effect at high noise (0.5.0 heard them at 0.1-1%).
    abs_pos: bool = False
    abs_pos_freqs: int = 4  # sin and cos of pi * 2^k * fraction, k < abs_pos_freqs, per axis
    # Positions that depend on the caption: the masked mean of a linear map of the text tokens is
    # a per-clip matrix from the clip-fraction features to a token bias, so "moving right" can
    # mark the left of frame 0 in one bilinear step. Through the blocks alone, direction x place is
    # an interaction of two faint features, and it did not emerge in about 7,000 steps with abs_pos
    # (sessions 8-9); 2,500 steps with this part did not teach it either. It adds a sum of per-axis
    # terms (no time x place product), and the loss offers little to learn it from (session 10:
    # the pack's TRAINING_LOG.md, "Session 10").
    # Zero-initialised: a warm start begins unchanged.
    caption_positions: bool = False
    # A pooled caption that keeps its words apart: this many learnt queries each attend over the
    # caption's tokens (padding masked), and their readings, side by side, join the mean pool in
    # adaLN's conditioning vector. The mean pool blends every word into one vector in which colour
    # dominates; a query can settle on the shape word, another on the direction, so every block is
    # modulated by them as it is by colour (the card's first lever since session 14). 0: none.
    # Zero-initialised output: a warm start begins unchanged. Measured (session 16): added to 0.7.0,
    # it stayed unused, its queries still attending evenly after 1,445 steps.
    caption_pool: int = 0
    # A per-token output head that reads the token's raw input patch beside the final hidden state:
    # an MLP of this width, zero-initialised, added to the velocity. With 1x4x4 patches of 16
    # channels a token's noisy latents are 256 numbers, as wide as the residual stream, so the
    # patch_in -> patch_out path cannot carry them and the semantics too; the velocity then loses
    # the detail the noisy input already holds, and objects come out round even when denoised from
    # t = 0.3 (session 11). The head lets that detail pass around the bottleneck. 0: none.
    # Measured: trained alone on 0.7.0 (session 16) it lowered the loss by 10-14% at mid and high
    # noise, but the evaluation moved by one clip either way; trained with the whole model
    # (session 17, 0.8.0) the loss fell about 25% and single-object motion rose from 0.63 to 0.86.
    output_head: int = 0


DIT_PRESETS: dict[str, DiTConfig] = {
    "tiny": DiTConfig(),
    "small": DiTConfig(dim=384, depth=12, heads=6, text_dim=384),
    "base": DiTConfig(dim=768, depth=24, heads=12, text_dim=768),
}


class TextEncoder(nn.Module):
    """Token ids (B, L) + attention mask (B, L) -> contextual embeddings (B, L, D)."""

    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.pos = nn.Parameter(torch.zeros(1, cfg.max_length, cfg.dim))
        layer = nn.TransformerEncoderLayer(cfg.dim, cfg.heads, cfg.dim * 4, dropout=0.0, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.layers = nn.ModuleList([layer if i == 0 else _clone(layer) for i in range(cfg.depth)])
        self.norm = nn.LayerNorm(cfg.dim)
        self.word_skip = nn.Embedding(cfg.vocab_size, cfg.dim) if cfg.word_skip else None
        nn.init.normal_(self.embed.weight, std=0.02)
        nn.init.normal_(self.pos, std=0.02)
        if self.word_skip is not None:
            nn.init.normal_(self.word_skip.weight, std=0.02)

    def forward(self, input_ids, attention_mask):  # (B, L) int64, (B, L) int64
        L = input_ids.shape[1]
        x = self.embed(input_ids) + self.pos[:, :L]
        pad = attention_mask == 0  # True where padding
        bias = torch.zeros(pad.shape, dtype=x.dtype, device=x.device).masked_fill(pad, -1e4)[:, None, None, :]
        for layer in self.layers:
            h = layer.norm1(x)
            h = _mha(layer.self_attn, h, h, bias)
            x = x + h
            x = x + layer.linear2(F.gelu(layer.linear1(layer.norm2(x))))
        x = self.norm(x)
        if self.word_skip is not None:
            x = x + self.word_skip(input_ids)
        return x  # (B, L, D)


def _clone(m: nn.Module) -> nn.Module:
    import copy

    return copy.deepcopy(m)


def _mha(attn: nn.MultiheadAttention, q_in, kv_in, bias):
    """nn.MultiheadAttention's math with an additive mask, written out so it exports cleanly."""
    B, Lq, D = q_in.shape
    H = attn.num_heads
    w_q, w_k, w_v = attn.in_proj_weight.chunk(3)
    b_q, b_k, b_v = attn.in_proj_bias.chunk(3)
    q = F.linear(q_in, w_q, b_q).view(B, Lq, H, D // H).transpose(1, 2)
    k = F.linear(kv_in, w_k, b_k).view(B, -1, H, D // H).transpose(1, 2)
    v = F.linear(kv_in, w_v, b_v).view(B, -1, H, D // H).transpose(1, 2)
    o = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
    return attn.out_proj(o.transpose(1, 2).reshape(B, Lq, D))


def mean_pool(text, text_mask):  # (B, L, Dt), (B, L) float 1 = word -> (B, Dt)
    """The pooled caption: the mean of the text tokens over the words, padding left out."""
    return (text * text_mask[..., None]).sum(1) / text_mask.sum(1, keepdim=True).clamp(min=1.0)


def timestep_embedding(t, dim: int, max_period: float = 10000.0):
    """Sinusoidal embedding of t in [0, 1] scaled to [0, 1000]: (B,) -> (B, dim)."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = (t.float() * 1000.0)[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


def rope_3d(T: int, H: int, W: int, head_dim: int, theta: float, device, space_scale: float = 1.0):
    """cos and sin tables (N, head_dim / 2) for tokens ordered (t, h, w); h and w positions are
    multiplied by space_scale.

    The head's rotary pairs are split between the axes: a quarter for t, the rest halved for h and w.
    """
    n_pairs = head_dim // 2
    p_t = max(2, n_pairs // 4)
    p_h = (n_pairs - p_t) // 2
    p_w = n_pairs - p_t - p_h

    def freqs(n_pairs_axis: int, positions):
        inv = 1.0 / (theta ** (torch.arange(n_pairs_axis, dtype=torch.float32, device=device) / n_pairs_axis))
        return positions[:, None] * inv[None]  # (N, pairs)

    tt = torch.arange(T, dtype=torch.float32, device=device)
    hh = torch.arange(H, dtype=torch.float32, device=device)
    ww = torch.arange(W, dtype=torch.float32, device=device)
    if space_scale != 1.0:  # a Python branch: unscaled models export the graph they always did
        hh, ww = hh * space_scale, ww * space_scale
    gt, gh, gw = torch.meshgrid(tt, hh, ww, indexing="ij")
    ang = torch.cat([freqs(p_t, gt.reshape(-1)), freqs(p_h, gh.reshape(-1)), freqs(p_w, gw.reshape(-1))], dim=-1)
    return torch.cos(ang), torch.sin(ang)  # (N, head_dim/2)


def clip_fractions(T: int, H: int, W: int, freqs: int, device):
    """Fourier features (N, 6 * freqs) of each token's place as fractions of the clip, tokens
    ordered (t, h, w): time runs 0 (first frame) to 1 (last), space 0 to 1 across cell centres, so
    every size and duration the model serves maps onto the same range."""
    ft = torch.arange(T, dtype=torch.float32, device=device)
    ft = ft / ft[-1].clamp(min=1.0)  # not max(T - 1, 1): the exporter would fix that branch, and T = 1 gives 0 / 0
    fh = (torch.arange(H, dtype=torch.float32, device=device) + 0.5) / H
    fw = (torch.arange(W, dtype=torch.float32, device=device) + 0.5) / W
    grid = torch.stack(torch.meshgrid(ft, fh, fw, indexing="ij"), dim=-1).reshape(-1, 3)  # (N, 3)
    scales = math.pi * 2.0 ** torch.arange(freqs, dtype=torch.float32, device=device)
    ang = (grid[:, :, None] * scales).reshape(grid.shape[0], -1)  # (N, 3 * freqs)
    return torch.cat([torch.sin(ang), torch.cos(ang)], dim=-1)


class RMSNorm(nn.Module):
    """RMS normalisation over the last axis (written out: opset 18 has no RMSNormalization)."""

    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def modulate(x, shift, scale):
    return x * (1 + scale[:, None]) + shift[:, None]


class SelfAttention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.q_norm = RMSNorm(dim // heads)
        self.k_norm = RMSNorm(dim // heads)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, rope):  # (B, N, D); rope = (cos, sin, position ids)
        B, N, D = x.shape
        q, k, v = self.qkv(x).view(B, N, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        q, k = apply_rope(self.q_norm(q), *rope), apply_rope(self.k_norm(k), *rope)
        return self.proj(attention(q, k, v))


class CrossAttention(nn.Module):
    def __init__(self, dim: int, text_dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(text_dim, 2 * dim)
        self.q_norm = RMSNorm(dim // heads)
        self.k_norm = RMSNorm(dim // heads)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, text, text_mask):  # (B, N, D), (B, L, Dt), (B, L) 1 = word, 0 = padding
        B, N, D = x.shape
        L = text.shape[1]
        q = self.q_norm(self.q(x).view(B, N, self.heads, D // self.heads).transpose(1, 2))
        k, v = self.kv(text).view(B, L, 2, self.heads, D // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        return self.proj(attention(q, self.k_norm(k), v, text_mask))


class CaptionPool(nn.Module):
    """Learnt queries read the caption's tokens by attention: (B, L, Dt) + mask (B, L) -> (B, D)."""

    def __init__(self, text_dim: int, dim: int, queries: int):
        super().__init__()
        self.queries = nn.Parameter(torch.randn(queries, text_dim) * 0.02)  # (Q, Dt)
        self.key = nn.Linear(text_dim, text_dim)
        self.value = nn.Linear(text_dim, text_dim)
        # No bias: one would start at zero beside t_embed's and pool_embed's last biases and, with
        # the same gradient, stay equal to them, and the exporter merges equal initializers
        # (from_pack.py pairs initializers one to one).
        self.out = nn.Linear(queries * text_dim, dim, bias=False)

    def attention(self, text, text_mask):  # (B, L, Dt), (B, L) 1 = word, 0 = padding -> (B, L, Q)
        scores = torch.matmul(self.key(text), self.queries.t()) / math.sqrt(text.shape[-1])
        scores = scores + (1.0 - text_mask)[..., None] * -1e4
        return scores.softmax(dim=1)  # each query's weights over the words

    def forward(self, text, text_mask):
        read = torch.matmul(self.attention(text, text_mask).transpose(1, 2), self.value(text))  # (B, Q, Dt)
        return self.out(read.reshape(text.shape[0], -1))


class DiTBlock(nn.Module):
    """adaLN-zero block: self-attention over all spacetime tokens, cross-attention to text, MLP."""

    def __init__(self, cfg: DiTConfig):
        super().__init__()
        d = cfg.dim
        self.norm1 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.attn = SelfAttention(d, cfg.heads)
        self.norm2 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.cross = CrossAttention(d, cfg.text_dim, cfg.heads)
        self.norm3 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        hidden = int(d * cfg.mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(d, hidden), GeluTanh(), nn.Linear(hidden, d))
        self.ada = nn.Sequential(nn.SiLU(), nn.Linear(d, 9 * d))

    def forward(self, x, c, rope, text, text_mask):
        s1, sc1, g1, s2, sc2, g2, s3, sc3, g3 = self.ada(c).chunk(9, dim=-1)
        x = x + g1[:, None] * self.attn(modulate(self.norm1(x), s1, sc1), rope)
        x = x + g2[:, None] * self.cross(modulate(self.norm2(x), s2, sc2), text, text_mask)
        x = x + g3[:, None] * self.mlp(modulate(self.norm3(x), s3, sc3))
        return x


class DiT(nn.Module):
    """Predicts the flow velocity of noisy latents given t, text and context frames."""

    def __init__(self, cfg: DiTConfig):
        super().__init__()
        self.cfg = cfg
        C, (pt, ph, pw), d = cfg.latent_channels, cfg.patch, cfg.dim
        self.patch_in = nn.Linear((2 * C + 1) * pt * ph * pw, d)  # noisy + context + mask channels
        self.t_embed = nn.Sequential(nn.Linear(256, d), nn.SiLU(), nn.Linear(d, d))
        self.pool_embed = nn.Sequential(nn.Linear(cfg.text_dim, d), nn.SiLU(), nn.Linear(d, d))
        self.abs_pos = (nn.Sequential(nn.Linear(6 * cfg.abs_pos_freqs, d), nn.SiLU(), nn.Linear(d, d))
                        if cfg.abs_pos else None)
        self.caption_positions = (nn.Linear(cfg.text_dim, 6 * cfg.abs_pos_freqs * d)
                                  if cfg.caption_positions else None)
        self.caption_pool = CaptionPool(cfg.text_dim, d, cfg.caption_pool) if cfg.caption_pool else None
        self.blocks = nn.ModuleList([DiTBlock(cfg) for _ in range(cfg.depth)])
        self.norm_out = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.ada_out = nn.Sequential(nn.SiLU(), nn.Linear(d, 2 * d))
        self.patch_out = nn.Linear(d, C * pt * ph * pw)
        # No bias on its last layer: one would stay equal to patch_out's (both start at zero, same
        # gradient), and the exporter merges equal initializers (from_pack.py pairs them one to one).
        self.output_head = (nn.Sequential(nn.Linear((2 * C + 1) * pt * ph * pw + d, cfg.output_head), GeluTanh(),
                                          nn.Linear(cfg.output_head, C * pt * ph * pw, bias=False))
                            if cfg.output_head else None)
        self._init()

    def _init(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        for blk in self.blocks:  # adaLN-zero: every block starts as the identity
            nn.init.zeros_(blk.ada[-1].weight)
            nn.init.zeros_(blk.ada[-1].bias)
        nn.init.zeros_(self.ada_out[-1].weight)
        nn.init.zeros_(self.ada_out[-1].bias)
        nn.init.zeros_(self.patch_out.weight)
        nn.init.zeros_(self.patch_out.bias)
        if self.abs_pos is not None:
            nn.init.zeros_(self.abs_pos[-1].weight)
        if self.caption_positions is not None:
            nn.init.zeros_(self.caption_positions.weight)
        if self.caption_pool is not None:
            nn.init.zeros_(self.caption_pool.out.weight)
        if self.output_head is not None:
            nn.init.zeros_(self.output_head[-1].weight)
        nn.init.normal_(self.t_embed[0].weight, std=0.02)

    def patchify(self, x):  # (B, Cx, T, H, W) -> (B, N, Cx*pt*ph*pw)
        B, Cx, T, H, W = x.shape
        pt, ph, pw = self.cfg.patch
        x = x.reshape(B, Cx, T // pt, pt, H // ph, ph, W // pw, pw)
        x = x.permute(0, 2, 4, 6, 1, 3, 5, 7)
        return x.reshape(B, (T // pt) * (H // ph) * (W // pw), Cx * pt * ph * pw)

    def unpatchify(self, x, T: int, H: int, W: int):  # (B, N, C*p) -> (B, C, T, H, W)
        B = x.shape[0]
        C = self.cfg.latent_channels
        pt, ph, pw = self.cfg.patch
        x = x.reshape(B, T // pt, H // ph, W // pw, C, pt, ph, pw)
        x = x.permute(0, 4, 1, 5, 2, 6, 3, 7)
        return x.reshape(B, C, T, H, W)

    def forward(self, latents, timestep, text_embeds, text_mask, context, context_mask):
        # latents, context (B, C, T, H, W); timestep (B,); text_embeds (B, L, Dt); text_mask (B, L);
        # context_mask (B, 1, T, H, W)
        B, C, T, H, W = latents.shape
        pt, ph, pw = self.cfg.patch
        patches = self.patchify(torch.cat([latents, context * context_mask, context_mask], dim=1))
        x = self.patch_in(patches)  # (B, N, D)
        if self.abs_pos is not None or self.caption_positions is not None:
            frac = clip_fractions(T // pt, H // ph, W // pw, self.cfg.abs_pos_freqs, x.device)  # (N, F)
        if self.abs_pos is not None:
            x = x + self.abs_pos(frac)
        cos, sin = rope_3d(T // pt, H // ph, W // pw, self.cfg.dim // self.cfg.heads, self.cfg.rope_theta, x.device,
                           self.cfg.position_scale)
        rope = (cos, sin, token_positions(x, x.shape[1]))
        # (The order of these lines fixes the exported graph's, which from_pack.py pairs with the
        # shipped one: keep it.)
        m = text_mask.to(x.dtype)
        if self.caption_positions is not None:
            per_word = self.caption_positions(text_embeds)  # (B, L, F * D)
            mat = (per_word * m[..., None]).sum(1) / m.sum(1, keepdim=True).clamp(min=1.0)
            x = x + frac @ mat.view(B, frac.shape[1], -1)  # (N, F) @ (B, F, D) -> (B, N, D)
        pooled = mean_pool(text_embeds, m)
        c = self.t_embed(timestep_embedding(timestep, 256)) + self.pool_embed(pooled)  # (B, D)
        if self.caption_pool is not None:
            c = c + self.caption_pool(text_embeds, m)
        for blk in self.blocks:
            x = blk(x, c, rope, text_embeds, m)
        shift, scale = self.ada_out(c).chunk(2, dim=-1)
        h = modulate(self.norm_out(x), shift, scale)
        x = self.patch_out(h)
        if self.output_head is not None:
            x = x + self.output_head(torch.cat([patches, h], dim=-1))
        return self.unpatchify(x, T, H, W)  # velocity (B, C, T, H, W)
