"""Exports a shapes-fusion checkpoint as a model folder: onnx/model.onnx, config.json (with the joint token
layout), preprocessor_config.json and the tokenizer files, plus reference tensors for checkOnnx.mjs."""
import argparse
import os

import numpy as np
import torch

from batches import draw_scene
from export_common import export, folder_size, write_json, write_reference, write_token_cases
from fusion_data import TEXT_LEN, encode_texts
from fusion_model import ShapesFusion
from preprocess import preprocessor_config
from tokens import write_tokenizer_files
from train_loop import load_checkpoint


def hf_config(cfg: dict) -> dict:
    v, t, grid = cfg["vision"], cfg["text"], cfg["vision"]["image_size"] // cfg["vision"]["patch_size"]
    return {
        "model_type": "shapes-fusion",
        # The zero-shot template the model was trained for (it knows only shapes-world words); read by the product.
        "prompt_templates": ["a {label}"],
        "architectures": ["ShapesFusion"],
        "hidden_size": cfg["width"],
        "num_hidden_layers": cfg["layers"],
        "num_attention_heads": cfg["heads"],
        "vision_config": {"image_size": v["image_size"], "patch_size": v["patch_size"], "num_channels": 3,
                          "patch_embedding": v.get("stem", "linear")},
        "text_config": {"max_position_embeddings": t["max_len"], "vocab_size": t["vocab_size"],
                        "bos_token_id": t["bos_id"], "eos_token_id": t["eos_id"], "pad_token_id": t["pad_id"]},
        "itm_labels": {"0": "no match", "1": "match"},
        # Joint sequence: text tokens [text_start, text_end), then the patch grid row-major; no image CLS.
        # cls_index is the token the matching head reads (the text start token).
        "token_layout": {"text_start": 0, "text_end": t["max_len"], "image_start": t["max_len"],
                         "image_tokens": grid * grid, "image_cls": None, "cls_index": 0, "rows": grid, "cols": grid},
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("checkpoint")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "models", "shapes-fusion"))
    ap.add_argument("--reference", default="/tmp/shapes-train/reference-fusion")
    args = ap.parse_args()
    model, cfg = load_checkpoint(args.checkpoint, ShapesFusion)
    out = os.path.abspath(args.out)

    rng = np.random.default_rng(99)
    pixels = torch.from_numpy(np.stack([draw_scene(rng)[1] for _ in range(3)]))
    ids, mask = encode_texts(["a red circle", "a blue square left of a green cross", "a photo of a red dog"])
    path = os.path.join(out, "onnx", "model.onnx")
    export(model, (ids, mask, pixels), path, ["input_ids", "attention_mask", "pixel_values"],
           ["itm_logits", "last_hidden_state"], {n: {0: "batch"} for n in
                                                 ("input_ids", "attention_mask", "pixel_values", "itm_logits",
                                                  "last_hidden_state")})
    write_json(out, "config.json", hf_config(cfg))
    write_json(out, "preprocessor_config.json", preprocessor_config())
    write_tokenizer_files(out, TEXT_LEN)
    with torch.no_grad():
        logits, hidden = model(ids, mask, pixels)
    write_reference(os.path.join(args.reference, "fusion"), path,
                    {"input_ids": ids, "attention_mask": mask, "pixel_values": pixels},
                    {"itm_logits": logits, "last_hidden_state": hidden})
    write_token_cases(args.reference, out)
    print(f"{out}: {folder_size(out) / 1e6:.2f} MB; reference tensors in {args.reference}")


if __name__ == "__main__":
    main()
