"""Tessera's built-in model: a Sora-style spacetime-patch diffusion transformer for shapes-world."""
