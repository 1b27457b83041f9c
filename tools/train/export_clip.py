"""Exports a shapes-clip checkpoint as a Hugging Face style model folder (CLIP's ONNX layout).

Writes onnx/vision_model.onnx, onnx/text_model.onnx, config.json, preprocessor_config.json and the tokenizer
files, plus reference tensors (under --reference) that checkOnnx.mjs compares onnxruntime's outputs against.
"""
import argparse
import math
import os

import numpy as np
import torch
from torch import nn

from batches import draw_scene
from clip_model import ShapesClip
from export_common import export, folder_size, write_json, write_reference, write_token_cases
from preprocess import preprocessor_config
from tokens import BOS_ID, EOS_ID, PAD_ID, encode, pad, write_tokenizer_files
from train_loop import load_checkpoint


class Vision(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.tower = model.vision

    def forward(self, pixel_values):
        return self.tower(pixel_values)


class Text(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.tower = model.text

    def forward(self, input_ids):
        return self.tower(input_ids)


def hf_config(cfg: dict, logit_scale: float) -> dict:
    v, t = cfg["vision"], cfg["text"]
    return {
        "model_type": "clip",
        # The zero-shot template the model was trained for (it knows only shapes-world words); read by the product.
        "prompt_templates": ["a {label}"],
        "architectures": ["ShapesClip"],
        "projection_dim": cfg["proj_dim"],
        "logit_scale": round(logit_scale, 4),
        "vision_config": {"image_size": v["image_size"], "patch_size": v["patch_size"], "hidden_size": v["width"],
                          "intermediate_size": 4 * v["width"], "num_hidden_layers": v["layers"],
                          "num_attention_heads": v["heads"], "num_channels": 3, "hidden_act": "gelu"},
        "text_config": {"max_position_embeddings": t["max_len"], "hidden_size": t["width"],
                        "intermediate_size": 4 * t["width"], "num_hidden_layers": t["layers"],
                        "num_attention_heads": t["heads"], "vocab_size": t["vocab_size"], "hidden_act": "gelu",
                        "eos_token_id": EOS_ID, "bos_token_id": BOS_ID, "pad_token_id": PAD_ID},
    }


# The graphs export_towers writes, by their file names without .onnx.
GRAPHS = ("vision_model", "text_model")


def example_inputs():
    """Three drawn scenes and four captions (padded with the pad id after the end token, which the causal mask must
    make harmless): what the towers are traced with and their reference tensors computed on."""
    rng = np.random.default_rng(99)
    pixels = torch.from_numpy(np.stack([draw_scene(rng)[1] for _ in range(3)]))
    caps = ["a red circle", "a blue square and a green cross", "a yellow triangle on the left", "a dog on a mat"]
    return pixels, caps, torch.tensor([pad(encode(c), 12) for c in caps], dtype=torch.int64)


def export_towers(model, onnx_dir):
    """Writes onnx/vision_model.onnx and onnx/text_model.onnx of `model` into `onnx_dir`."""
    pixels, _, ids = example_inputs()
    vision, text = Vision(model).eval(), Text(model).eval()
    export(vision, (pixels,), os.path.join(onnx_dir, "vision_model.onnx"), ["pixel_values"],
           ["image_embeds", "last_hidden_state"], {"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"},
                                                   "last_hidden_state": {0: "batch"}})
    export(text, (ids[:, :9],), os.path.join(onnx_dir, "text_model.onnx"), ["input_ids"],
           ["text_embeds", "last_hidden_state"], {"input_ids": {0: "batch", 1: "sequence"}, "text_embeds": {0: "batch"},
                                                  "last_hidden_state": {0: "batch", 1: "sequence"}})


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("checkpoint")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "models", "shapes-clip"))
    ap.add_argument("--reference", default="/tmp/shapes-train/reference-clip")
    args = ap.parse_args()
    model, cfg = load_checkpoint(args.checkpoint, ShapesClip)
    out = os.path.abspath(args.out)

    pixels, caps, ids = example_inputs()
    export_towers(model, os.path.join(out, "onnx"))
    vision, text = Vision(model).eval(), Text(model).eval()
    write_json(out, "config.json", hf_config(cfg, math.exp(model.logit_scale.item())))
    write_json(out, "preprocessor_config.json", preprocessor_config())
    write_tokenizer_files(out, cfg["text"]["max_len"])

    with torch.no_grad():
        image_embeds, image_hidden = vision(pixels)
        text_embeds, text_hidden = text(ids)
    write_reference(os.path.join(args.reference, "vision"), os.path.join(out, "onnx", "vision_model.onnx"),
                    {"pixel_values": pixels}, {"image_embeds": image_embeds, "last_hidden_state": image_hidden})
    write_reference(os.path.join(args.reference, "text"), os.path.join(out, "onnx", "text_model.onnx"),
                    {"input_ids": ids}, {"text_embeds": text_embeds, "last_hidden_state": text_hidden})
    unpadded = torch.tensor([encode(caps[0])], dtype=torch.int64)
    assert torch.allclose(text(unpadded)[0], text_embeds[:1], atol=1e-5), "padding after the end token changed the embedding"
    write_token_cases(args.reference, out)
    print(f"{out}: {folder_size(out) / 1e6:.2f} MB; reference tensors in {args.reference}")


if __name__ == "__main__":
    main()
