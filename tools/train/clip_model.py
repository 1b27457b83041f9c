"""shapes-clip: a CLIP-like two-tower model (ViT with a CLS token; causal text transformer pooled at the end token).

The towers mirror Hugging Face's CLIPVisionModelWithProjection / CLIPTextModelWithProjection so the extension
reads them like a real CLIP export: vision last_hidden_state is the encoder output before the final LayerNorm,
image_embeds = proj(ln_post(last_hidden_state[:, 0])); text last_hidden_state is after the final LayerNorm.
"""
import math

import torch
from torch import nn
from torch.nn import functional as F

from layers import NEG, Encoder, init_weights


class VisionTower(nn.Module):
    def __init__(self, image_size, patch_size, width, layers, heads, proj_dim):
        super().__init__()
        self.grid = image_size // patch_size
        self.patch_embed = nn.Conv2d(3, width, patch_size, patch_size, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(width) * 0.02)
        self.pos_embedding = nn.Parameter(torch.randn(1 + self.grid**2, width) * 0.02)
        self.ln_pre = nn.LayerNorm(width)
        self.encoder = Encoder(width, layers, heads)
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Linear(width, proj_dim, bias=False)

    def embed(self, pixel_values):
        x = self.patch_embed(pixel_values).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(x.shape[0], 1, -1)
        return self.ln_pre(torch.cat([cls, x], dim=1) + self.pos_embedding)

    def forward(self, pixel_values):
        """(image_embeds [B, D], last_hidden_state [B, 1 + grid^2, W])."""
        hidden = self.encoder(self.embed(pixel_values))
        return self.proj(self.ln_post(hidden[:, 0])), hidden

    def dense(self, pixel_values):
        """Patch embeddings in the joint space, [B, grid^2, D], two ways: the standard map (last-layer patch
        tokens through ln_post and proj, the extension's default) and the last layer's values through its output
        projection alone (the extension's `--alignment values`; MaskCLIP would keep the residual and the MLP)."""
        states = self.encoder(self.embed(pixel_values), every_layer=True)
        hidden, last = states[-1], self.encoder.layers[-1]
        values = last.attn.value_path(last.ln_1(states[-2]))
        to_joint = lambda h: self.proj(self.ln_post(h[:, 1:]))  # noqa: E731
        return to_joint(hidden), to_joint(values)


class TextTower(nn.Module):
    def __init__(self, vocab_size, max_len, width, layers, heads, proj_dim, eos_id):
        super().__init__()
        self.eos_id = eos_id
        self.token_embedding = nn.Embedding(vocab_size, width)
        self.pos_embedding = nn.Parameter(torch.randn(max_len, width) * 0.01)
        causal = torch.full((max_len, max_len), NEG).triu(1)
        self.register_buffer("causal", causal, persistent=False)
        self.register_buffer("positions", torch.arange(max_len), persistent=False)
        self.encoder = Encoder(width, layers, heads)
        self.ln_final = nn.LayerNorm(width)
        self.proj = nn.Linear(width, proj_dim, bias=False)

    def forward(self, input_ids):
        """(text_embeds [B, D], last_hidden_state [B, T, W]); pooled at the first end-of-text token."""
        t = input_ids.shape[1]
        x = self.token_embedding(input_ids) + self.pos_embedding[:t]
        hidden = self.ln_final(self.encoder(x, self.causal[:t, :t]))
        first_eos = torch.argmax((input_ids == self.eos_id).to(torch.int32), dim=-1)
        pick = (self.positions[:t].unsqueeze(0) == first_eos.unsqueeze(1)).to(hidden.dtype)
        pooled = (hidden * pick.unsqueeze(-1)).sum(dim=1)
        return self.proj(pooled), hidden


class ShapesClip(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        v, t = cfg["vision"], cfg["text"]
        self.vision = VisionTower(v["image_size"], v["patch_size"], v["width"], v["layers"], v["heads"], cfg["proj_dim"])
        self.text = TextTower(t["vocab_size"], t["max_len"], t["width"], t["layers"], t["heads"], cfg["proj_dim"],
                              t["eos_id"])
        init_weights(self)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        self.dense_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))


def soft_contrastive(logits, match):
    """Symmetric cross-entropy whose targets spread evenly over every matching pair, so equal (or otherwise
    matching) captions in a batch are positives, not negatives. Rows or columns with no match are skipped."""
    loss, terms = 0.0, 0
    for lg, m in ((logits, match), (logits.t(), match.t())):
        keep = m.sum(1) > 0
        if keep.any():
            target = m[keep] / m[keep].sum(1, keepdim=True)
            loss = loss + -(target * F.log_softmax(lg[keep], dim=1)).sum(1).mean()
            terms += 1
    return loss / max(terms, 1)
