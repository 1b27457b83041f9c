"""Transformer pieces written out by hand so the ONNX export keeps one plain Softmax per attention layer.

The extension finds attention by looking for a Softmax over the last axis of a [batch, heads, queries, keys]
tensor that feeds a MatMul with the values; fused kernels (nn.MultiheadAttention, scaled_dot_product_attention)
would hide it.
"""
import math

import torch
from torch import nn

NEG = -1e9  # added to masked scores; exp underflows to exactly 0 in float32


class Attention(nn.Module):
    """Multi-head self-attention: q, k, v and out projections, explicit scores and Softmax."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.scale = (width // heads) ** -0.5
        self.q_proj = nn.Linear(width, width)
        self.k_proj = nn.Linear(width, width)
        self.v_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)
        self.keep_probs = False  # training sets it where it supervises attention; then forward keeps `probs`

    def split(self, x):
        b, t, c = x.shape
        return x.reshape(b, t, self.heads, c // self.heads).transpose(1, 2)

    def forward(self, x, bias=None):
        q, k, v = self.split(self.q_proj(x)), self.split(self.k_proj(x)), self.split(self.v_proj(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) * self.scale
        if bias is not None:
            scores = scores + bias
        probs = torch.softmax(scores, dim=-1)
        if self.keep_probs:
            self.probs = probs
        ctx = torch.matmul(probs, v).transpose(1, 2)
        return self.out_proj(ctx.reshape(x.shape))

    def value_path(self, x):
        """The values through the output projection alone: no attention mixing, and (as the caller uses it) no
        residual or MLP either, so not MaskCLIP, which keeps both (`mmlens analyze --alignment values`)."""
        return self.out_proj(self.v_proj(x))


class Block(nn.Module):
    """Pre-norm transformer layer, as CLIP's."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.attn = Attention(width, heads)
        self.ln_2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, x, bias=None):
        x = x + self.attn(self.ln_1(x), bias)
        return x + self.mlp(self.ln_2(x))


class Encoder(nn.Module):
    """A stack of blocks sharing one additive attention bias (causal or padding mask)."""

    def __init__(self, width: int, layers: int, heads: int):
        super().__init__()
        self.layers = nn.ModuleList(Block(width, heads) for _ in range(layers))

    def forward(self, x, bias=None, every_layer=False):
        """The last layer's output, or with every_layer the list [input, output of layer 1, ..., of layer n]."""
        states = [x]
        for block in self.layers:
            states.append(block(states[-1], bias))
        return states if every_layer else states[-1]


def sincos(positions: torch.Tensor, width: int) -> torch.Tensor:
    """Sine-cosine features [N, width] of 1-D positions, wavelengths 2*pi to 2*pi*100."""
    freqs = torch.exp(-math.log(100.0) * torch.arange(width // 2) / (width // 2))
    angles = positions.float()[:, None] * freqs[None, :]
    return torch.cat([angles.sin(), angles.cos()], dim=1)


def position_table(rows: int, cols: int, width: int, norm: float) -> torch.Tensor:
    """Position embeddings [rows*cols, width] (row-major; a 1-D sequence is rows=1): half the channels code
    the row, half the column, scaled to `norm` so that position is as visible as content from the start."""
    r = torch.arange(rows).repeat_interleave(cols)
    c = torch.arange(cols).repeat(rows)
    table = torch.cat([sincos(r, width // 2), sincos(c, width // 2)], dim=1)
    return table / table.norm(dim=1, keepdim=True) * norm


def init_weights(module: nn.Module) -> None:
    """Small normal init for linear and embedding weights, zero biases (as CLIP and ViT do)."""
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)
