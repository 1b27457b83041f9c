"""shapes-fusion: a ViLT-like single-stream model with an image-text matching (ITM) head.

Joint sequence: [text tokens 0..L-1 (token 0 is the start token, read by the ITM head); image patches L..L+G*G-1,
row-major], after a LayerNorm (as CLIP's ViT). Every token gets a position embedding of its own stream and a
modality-type embedding (0 text, 1 image). Padded text keys are masked out; image keys never are.
"""
import numpy as np
import torch
from torch import nn

from batches import draw_scene
from layers import NEG, Encoder, init_weights, position_table
from preprocess import box_patches
from shapes_world import COLOURS, KINDS, SHAPES
from tokens import VOCAB


def patch_stem(width: int, patch: int, kind: str) -> nn.Module:
    """Image patch embeddings [B, width, G, G]. "linear": ViLT's one linear projection of each patch. "conv": a
    small convolutional stem (as ViT's hybrid variant) with the same stride but a receptive field of about 4
    patches, so each patch token already sees the shape of the object it lies on."""
    if kind == "linear":
        return nn.Conv2d(3, width, patch, patch)
    steps = int(np.log2(patch))
    chans = [3] + [width // 2 ** (steps - i) for i in range(1, steps)] + [width]
    layers = []
    for i in range(steps):
        layers += [nn.Conv2d(chans[i], chans[i + 1], 3, 2, 1), nn.GELU()]
    return nn.Sequential(*layers, nn.Conv2d(width, width, 3, 1, 1))


class ShapesFusion(nn.Module):
    # Heads of the auxiliary training tasks (train_fusion.py): forward never reads them, so the export leaves them out.
    TRAINING_ONLY = ("mlm_", "rtd_", "colour_", "patch_norm", "patch_head", "centre_", "side_")

    def __init__(self, cfg: dict):
        super().__init__()
        v, t, width = cfg["vision"], cfg["text"], cfg["width"]
        self.grid = v["image_size"] // v["patch_size"]
        self.token_embedding = nn.Embedding(t["vocab_size"], width)
        self.patch_embed = patch_stem(width, v["patch_size"], v.get("stem", "linear"))
        self.type_embedding = nn.Embedding(2, width)
        self.ln_pre = nn.LayerNorm(width)
        self.encoder = Encoder(width, cfg["layers"], cfg["heads"])
        self.ln_final = nn.LayerNorm(width)
        self.pooler = nn.Linear(width, width)
        self.itm_head = nn.Linear(width, 2)
        # The TRAINING_ONLY heads:
        self.mlm_head = nn.Linear(width, t["vocab_size"])
        self.rtd_norm, self.rtd_head = nn.LayerNorm(width), nn.Linear(width, 1)
        self.colour_norm, self.colour_head = nn.LayerNorm(width), nn.Linear(width, len(COLOURS))
        self.patch_norm, self.patch_head = nn.LayerNorm(width), nn.Linear(width, 1 + len(KINDS))
        self.centre_norm, self.centre_head = nn.LayerNorm(width), nn.Linear(width, 2)
        self.side_head = nn.Linear(width, 4)
        init_weights(self)
        # Learned, but started as sine-cosine tables as strong as the content: the hard negatives turn on where
        # things are and on word order, which tiny random position embeddings hide for hundreds of steps.
        self.text_pos = nn.Parameter(position_table(1, t["max_len"], width, cfg["pos_norm"]))
        self.image_pos = nn.Parameter(position_table(self.grid, self.grid, width, cfg["pos_norm"]))

    def states(self, input_ids, attention_mask, pixel_values):
        """Hidden states of every layer (see Encoder), before the final norm."""
        text = self.token_embedding(input_ids) + self.text_pos + self.type_embedding.weight[0]
        patches = self.patch_embed(pixel_values).flatten(2).transpose(1, 2)
        image = patches + self.image_pos + self.type_embedding.weight[1]
        keep = torch.cat([attention_mask.to(text.dtype), torch.ones_like(image[:, :, 0])], dim=1)
        bias = ((1 - keep) * NEG)[:, None, None, :]
        return self.encoder(self.ln_pre(torch.cat([text, image], dim=1)), bias, every_layer=True)

    def head(self, last_state):
        """(itm_logits [B, 2] (index 1 = match), last_hidden_state [B, L + G*G, W] after the final norm)."""
        hidden = self.ln_final(last_state)
        return self.itm_head(torch.tanh(self.pooler(hidden[:, 0]))), hidden

    def forward(self, input_ids, attention_mask, pixel_values):
        return self.head(self.states(input_ids, attention_mask, pixel_values)[-1])


@torch.no_grad()
def init_words(model: ShapesFusion, seed: int, scenes: int = 300) -> None:
    """Starts each colour and shape word at the mean patch embedding of objects of that colour or shape, and each
    side word (left, right, top, bottom) at the mean position embedding of that third of the grid, so a word
    and what it names start close in the joint input space."""
    rng = np.random.default_rng([seed, 31])
    sums, counts = {}, {}
    for _ in range(scenes):
        scene, pixels = draw_scene(rng)
        emb = model.patch_embed(torch.from_numpy(pixels)[None]).flatten(2).transpose(1, 2)[0]
        for o in scene.objects:
            mean = emb[box_patches(o.bounds(), scene.side, model.grid)].mean(0)
            for word in o.kind:
                sums[word] = sums.get(word, 0) + mean
                counts[word] = counts.get(word, 0) + 1
    for word in (*COLOURS, *SHAPES):
        model.token_embedding.weight[VOCAB[word]] = sums[word] / counts[word]
    g, third = model.grid, model.grid // 3
    pos = model.image_pos.reshape(g, g, -1)
    sides = {"left": pos[:, :third], "right": pos[:, g - third:], "top": pos[:third], "bottom": pos[g - third:]}
    for word, cells in sides.items():
        model.token_embedding.weight[VOCAB[word]] = cells.reshape(-1, cells.shape[-1]).mean(0)
