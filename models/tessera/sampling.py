"""Reference sampler in PyTorch (the engine's TypeScript sampler follows the same math).

Rectified-flow schedule with a timestep shift, Euler or Heun steps, classifier-free guidance
with conditional and unconditional passes batched, and clean context frames re-imposed
before every call (models/PACK_FORMAT.md).

Guidance applies only for t inside `guidance_interval` (Kynkaanniemi et al. 2024): at the
highest noise levels it pushes every sample toward the caption's mean, which for small
objects on a plain background is the background alone, so objects vanish. `guidance_high`
does the opposite for a model that decides layout, shape and motion only at those levels: a
stronger guidance for t >= its `from_t` (models/PACK_FORMAT.md, "Text").
"""
from __future__ import annotations

import torch


def shift_toward_noise(t, shift: float):
    """The timestep shift (SD3) for a float or tensor t in [0, 1]: shift > 1 moves t toward 1 (noise)."""
    return shift * t / (1 + (shift - 1) * t)


def guidance_at(t: float, guidance: float, interval=(0.0, 1.0), high: dict | None = None) -> float:
    """The guidance scale at noise level t: high["guidance"] for t >= high["from_t"], else
    `guidance` inside `interval`, else 1 (the conditional pass alone)."""
    if high is not None and t >= high["from_t"]:
        return high["guidance"]
    return guidance if interval[0] <= t <= interval[1] else 1.0


def schedule(steps: int, shift: float) -> list[float]:
    """t_0 = 1 (noise) ... t_N = 0, shifted toward high noise by `shift`."""
    return [shift_toward_noise(1 - i / steps, shift) for i in range(steps + 1)]


@torch.no_grad()
def sample(model, text, text_mask, uncond_text, uncond_mask, noise, context=None, cmask=None,
           steps: int = 50, guidance: float = 4.0, shift: float = 2.0, sampler: str = "euler", t_start: float = 1.0,
           x_init=None, guidance_interval: tuple[float, float] = (0.0, 1.0), guidance_high: dict | None = None):
    """Returns clean normalised latents (B, C, T, H, W).

    text/uncond_text: (B, L, D) encoder outputs; noise: (B, C, T, H, W); cmask (B, 1, T, H, W).
    For remix (SDEdit), pass x_init (clean latents) and t_start < 1.
    """
    B = noise.shape[0]
    if context is None:
        context = torch.zeros_like(noise)
        cmask = torch.zeros_like(noise[:, :1])
    ts = schedule(steps, shift)
    first = next(i for i, t in enumerate(ts) if t <= t_start + 1e-9)
    x = noise if x_init is None else (1 - ts[first]) * x_init + ts[first] * noise
    txt = torch.cat([text, uncond_text])
    msk = torch.cat([text_mask, uncond_mask]).float()
    ctx, cm = torch.cat([context, context]), torch.cat([cmask, cmask])

    def velocity(x, t):
        x = x * (1 - cmask) + context * cmask
        g = guidance_at(t, guidance, guidance_interval, guidance_high)
        if g == 1:
            return model(x, torch.full((B,), t), text, text_mask.float(), context, cmask)
        tt = torch.full((2 * B,), t)
        v = model(torch.cat([x, x]), tt, txt, msk, ctx, cm)
        vc, vu = v.chunk(2)
        return vu + g * (vc - vu)

    for i in range(first, steps):
        t, t_next = ts[i], ts[i + 1]
        v = velocity(x, t)
        if sampler == "heun" and t_next > 0:
            x_pred = x + (t_next - t) * v
            v = 0.5 * (v + velocity(x_pred, t_next))
        x = x + (t_next - t) * v
    return x * (1 - cmask) + context * cmask
