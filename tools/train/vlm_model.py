"""shapes-vlm in torch: the LLaVA-style modules of tools/fixtures/llava_modules.py (CLIP-style vision tower read at
layer -2 with CLS dropped, linear-GELU-linear projector, Llama decoder with rotary positions and grouped-query
attention), trained from a fresh initialisation instead of the fixture's random weights."""
import os
import sys

import torch
from torch import nn

from layers import init_weights
from vlm_data import EOS_ID, PLACES, VOCAB, sequence

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from llava_modules import Decoder, RmsNorm, VisionEncoder  # noqa: E402
from tinyLlava import EmbedTokens  # noqa: E402

# The patch head's logits: [0:7] colour, [7:12] shape, [12:18] position word (each with background first).
PATCH_CLASSES = (0, 7, 12, 12 + 1 + len(PLACES))


def config(width=96, vision_layers=4, decoder_layers=3, heads=4, kv_heads=2, vision_width=96):
    """(vision_config, text_config) in Hugging Face's LlavaConfig spelling; the tower holds one layer more than it
    runs (vision_feature_layer -2 reads the input of its last layer, which is never exported)."""
    vision = {"hidden_size": vision_width, "intermediate_size": 4 * vision_width, "num_hidden_layers": vision_layers + 1,
              "num_attention_heads": 4, "image_size": 64, "patch_size": 8, "hidden_act": "quick_gelu",
              "model_type": "clip_vision_model"}
    text = {"hidden_size": width, "intermediate_size": 2 * width + width // 2, "num_hidden_layers": decoder_layers,
            "num_attention_heads": heads, "num_key_value_heads": kv_heads, "head_dim": width // heads,
            "vocab_size": len(VOCAB), "max_position_embeddings": 128, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
            "hidden_act": "silu", "model_type": "llama"}
    return vision, text


class ShapesVlm(nn.Module):
    """vision (pixels -> image features in the decoder's width), embed (ids -> embeddings), decoder (-> logits), and
    a training-only head that reads each image feature's object colour, shape and position word (not exported)."""

    TRAINING_ONLY = ("patch_head",)

    def __init__(self, cfg):
        super().__init__()
        vision, text = cfg
        self.vision = VisionEncoder({**vision, "text_hidden_size": text["hidden_size"]})
        self.embed = EmbedTokens(text)
        self.decoder = Decoder(text, with_past=False)
        self.image_tokens = (vision["image_size"] // vision["patch_size"]) ** 2
        self.patch_head = nn.Linear(text["hidden_size"], PATCH_CLASSES[-1])
        init_weights(self)
        with torch.no_grad():
            self.vision.class_embedding.normal_(std=0.02)
            self.vision.position_embedding.normal_(std=0.02)
            for m in self.modules():
                if isinstance(m, RmsNorm):
                    m.weight.fill_(1.0)
        # The last tower layer is never run (layer -2 is read); keep it out of the optimiser's way.
        self.vision.layers[-1].requires_grad_(False)

    def forward(self, pixels, owner, ids, image_start):
        """Logits [B, T, vocab]; row b's image tokens get the features of scene owner[b]."""
        return self.logits(self.vision(pixels)[owner], ids, image_start)

    def logits(self, features, ids, image_start, attention=False):
        """Logits [B, T, vocab] of `ids` with `features` [B, tokens, width] over the image tokens; with `attention`,
        (logits, each layer's attention probabilities [B, heads, T, T])."""
        embeds = self.embed(ids)
        embeds = torch.cat([embeds[:, :image_start], features, embeds[:, image_start + self.image_tokens:]], dim=1)
        n = ids.shape[1]
        self.decoder.return_attention = attention
        out = self.decoder(embeds, torch.ones_like(ids), torch.arange(n).expand_as(ids))
        self.decoder.return_attention = False
        return (out[0], out[1 + 2 * len(self.decoder.layers):]) if attention else out[0]

    @torch.no_grad()
    def answer(self, pixels, question, max_new=14):
        """Greedy answers (word lists) to one question for a batch of images, recomputed without a cache."""
        ids, start, image_start = sequence(question, "", self.image_tokens)
        ids = torch.tensor(ids[:start]).expand(pixels.shape[0], -1)
        features = self.vision(pixels)
        done = torch.zeros(pixels.shape[0], dtype=torch.bool)
        for _ in range(max_new):
            nxt = self.logits(features, ids, image_start)[:, -1].argmax(-1)
            ids = torch.cat([ids, nxt[:, None]], dim=1)
            done |= nxt == EOS_ID
            if done.all():
                break
        words = {i: w for w, i in VOCAB.items()}
        out = []
        for row in ids[:, start:].tolist():
            row = row[: row.index(EOS_ID)] if EOS_ID in row else row
            out.append([words[i] for i in row])
        return out

