"""shapes-fusion: a ViLT-like single-stream model with an image-text matching (ITM) head.

Joint sequence (after a LayerNorm, as CLIP's ViT): [text tokens 0..L-1 (token 0 is the start token, read by the ITM head); image patches L..L+G*G-1,
row-major]. Every token gets a position embedding of its own stream and a modality-type embedding
(0 text, 1 image). Padded text keys are masked out; image keys never are.
"""
import torch
from torch import nn

from layers import NEG, Encoder, init_weights


class ShapesFusion(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        v, t, width = cfg["vision"], cfg["text"], cfg["width"]
        self.grid = v["image_size"] // v["patch_size"]
        self.token_embedding = nn.Embedding(t["vocab_size"], width)
        self.text_pos = nn.Parameter(torch.randn(t["max_len"], width) * 0.02)
        self.patch_embed = nn.Conv2d(3, width, v["patch_size"], v["patch_size"])
        self.image_pos = nn.Parameter(torch.randn(self.grid**2, width) * 0.02)
        self.type_embedding = nn.Embedding(2, width)
        self.ln_pre = nn.LayerNorm(width)
        self.encoder = Encoder(width, cfg["layers"], cfg["heads"])
        self.ln_final = nn.LayerNorm(width)
        self.pooler = nn.Linear(width, width)
        self.itm_head = nn.Linear(width, 2)
        # Training only (masked-word prediction, replaced-token detection, grounding); forward never reads them, so the
        # export leaves them out. Replaced tokens are detected at layer rtd_layer, below the top, so the layers
        # above it can gather those flags into the first token for the matching head.
        self.mlm_head = nn.Linear(width, t["vocab_size"])
        self.rtd_layer = cfg["rtd_layer"]
        self.rtd_norm = nn.LayerNorm(width)
        self.rtd_head = nn.Linear(width, 1)
        # Grounding: at layer ground_layer a shape word's state should point (bilinearly) at its object's patches.
        self.ground_layer = cfg["ground_layer"]
        self.ground_norm = nn.LayerNorm(width)
        self.ground_q = nn.Linear(width, width)
        self.ground_k = nn.Linear(width, width)
        init_weights(self)

    def states(self, input_ids, attention_mask, pixel_values):
        """Hidden states of every layer (see Encoder), before the final norm."""
        text = self.token_embedding(input_ids) + self.text_pos + self.type_embedding.weight[0]
        patches = self.patch_embed(pixel_values).flatten(2).transpose(1, 2)
        image = patches + self.image_pos + self.type_embedding.weight[1]
        keep = torch.cat([attention_mask.to(text.dtype), torch.ones_like(image[:, :, 0])], dim=1)
        bias = ((1 - keep) * NEG)[:, None, None, :]
        return self.encoder(self.ln_pre(torch.cat([text, image], dim=1)), bias, every_layer=True)

    def pointer(self, state, text_len):
        """Grounding logits [B, text_len, patches]: how strongly each text token points at each patch."""
        h = self.ground_norm(state)
        q, k = self.ground_q(h[:, :text_len]), self.ground_k(h[:, text_len:])
        return torch.matmul(q, k.transpose(1, 2)) * q.shape[-1] ** -0.5

    def head(self, last_state):
        """(itm_logits [B, 2] (index 1 = match), last_hidden_state [B, L + G*G, W] after the final norm)."""
        hidden = self.ln_final(last_state)
        return self.itm_head(torch.tanh(self.pooler(hidden[:, 0]))), hidden

    def forward(self, input_ids, attention_mask, pixel_values):
        return self.head(self.states(input_ids, attention_mask, pixel_values)[-1])


def init_from_clip(model: ShapesFusion, clip_state: dict) -> None:
    """Starts the image side and the transformer from shapes-clip's vision tower, as ViLT starts from a
    pretrained ViT: patch embedding, patch positions (without CLS), ln_pre and every encoder layer.
    Text embeddings, type embeddings and the heads start fresh."""
    own = model.state_dict()
    copied = {"patch_embed.weight": clip_state["vision.patch_embed.weight"],
              "image_pos": clip_state["vision.pos_embedding"][1:],
              "ln_pre.weight": clip_state["vision.ln_pre.weight"], "ln_pre.bias": clip_state["vision.ln_pre.bias"]}
    for key, value in clip_state.items():
        if key.startswith("vision.encoder."):
            copied[key[len("vision."):]] = value
    for key, value in copied.items():
        if own[key].shape != value.shape:
            raise ValueError(f"{key}: shapes-clip has {tuple(value.shape)}, fusion needs {tuple(own[key].shape)}")
        own[key] = value
    model.load_state_dict(own)
