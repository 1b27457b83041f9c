"""Exports a shapes-vlm checkpoint as transformers.js lays out an image-text-to-text model, with the export code of
the tiny LLaVA fixture (tools/fixtures/tinyLlava.py): onnx/vision_encoder.onnx (pixel_values -> image_features),
onnx/embed_tokens.onnx (input_ids -> inputs_embeds) and onnx/decoder_model_merged.onnx (one graph with the KV
cache, an empty past at the first step; explicit Softmax attention), plus config.json (model_type llava),
preprocessor_config.json, processor_config.json, the word-level tokenizer with <image> and the chat template, and
generation_config.json. The model card (README.md) is written by hand.
"""
import argparse
import os
import sys

import torch

from export_common import folder_size, write_json
from preprocess import IMAGE_SIZE, preprocessor_config
from train_loop import load_checkpoint
from vlm_data import BOS_ID, EOS_ID, IMAGE_ID, PAD_ID, VOCAB
from vlm_model import ShapesVlm

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from hf_common import export  # noqa: E402
from tinyLlava import CHAT_TEMPLATE, export_decoder, tokenizer_json  # noqa: E402


# The graphs export_graphs writes, by their file names without .onnx.
GRAPHS = ("vision_encoder", "embed_tokens", "decoder_model_merged")


def export_graphs(model, text, onnx_dir):
    """Writes the three graphs of `model` into `onnx_dir`."""
    os.makedirs(onnx_dir, exist_ok=True)
    pixels = torch.zeros(1, 3, IMAGE_SIZE, IMAGE_SIZE)
    export(model.vision, (pixels,), os.path.join(onnx_dir, "vision_encoder.onnx"), ["pixel_values"], ["image_features"],
           {"pixel_values": {0: "batch_size"}, "image_features": {0: "batch_size"}})
    export(model.embed, (torch.tensor([[BOS_ID, 5, 6]]),), os.path.join(onnx_dir, "embed_tokens.onnx"), ["input_ids"],
           ["inputs_embeds"], {"input_ids": {0: "batch_size", 1: "sequence_length"},
                               "inputs_embeds": {0: "batch_size", 1: "sequence_length"}})
    export_decoder(model.decoder, os.path.join(onnx_dir, "decoder_model_merged.onnx"), True, text)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("checkpoint")
    ap.add_argument("--out", default="../../models/shapes-vlm")
    args = ap.parse_args()
    model, (vision, text) = load_checkpoint(args.checkpoint, ShapesVlm)
    export_graphs(model, text, os.path.join(args.out, "onnx"))

    specials = {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}
    config = {"architectures": ["LlavaForConditionalGeneration"], "model_type": "llava", "image_token_index": IMAGE_ID,
              "projector_hidden_act": "gelu", "vision_feature_layer": -2, "vision_feature_select_strategy": "default",
              "vision_config": vision, "text_config": {**text, "bos_token_id": BOS_ID, "eos_token_id": EOS_ID, "pad_token_id": PAD_ID}}
    files = {
        "config.json": config,
        "preprocessor_config.json": preprocessor_config(),
        "processor_config.json": {"image_token": "<image>", "patch_size": vision["patch_size"], "num_additional_image_tokens": 1,
                                  "vision_feature_select_strategy": "default", "processor_class": "LlavaProcessor"},
        "tokenizer.json": tokenizer_json(VOCAB),
        "tokenizer_config.json": {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": text["max_position_embeddings"],
                                  "add_bos_token": True, "chat_template": CHAT_TEMPLATE, **specials},
        "special_tokens_map.json": specials,
        "generation_config.json": {"bos_token_id": BOS_ID, "eos_token_id": EOS_ID, "pad_token_id": PAD_ID},
    }
    for name, content in files.items():
        write_json(args.out, name, content)
    unexported = (f"vision.layers.{vision['num_hidden_layers'] - 1}.", *model.TRAINING_ONLY)
    exported = sum(p.numel() for n, p in model.named_parameters() if not n.startswith(unexported))
    print(f"{args.out}: {folder_size(args.out) / 1e6:.2f} MB, {exported} parameters exported")


if __name__ == "__main__":
    main()
