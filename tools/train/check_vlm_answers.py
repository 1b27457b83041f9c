"""Checks an exported shapes-vlm against its torch checkpoint: the greedy answers the Node pipeline wrote
(`npx tsx tools/quality/vlmQuality.ts --keep DIR`, DIR/answers.json) against the checkpoint's own greedy answers to
the same prompts on the same PNG files, preprocessed here as in training (preprocess.py). Prints how many agree and
every one that does not; exits 1 when fewer than --min agree (the two resizes differ by rounding, so an answer on a
knife edge may flip)."""
import argparse
import json
import sys

import numpy as np
import torch
from PIL import Image

from preprocess import preprocess
from train_loop import load_checkpoint
from vlm_model import ShapesVlm


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("checkpoint")
    ap.add_argument("folder", help="vlmQuality.ts --keep folder")
    ap.add_argument("--min", type=float, default=0.99, help="the share of answers that must agree")
    args = ap.parse_args()
    model, _ = load_checkpoint(args.checkpoint, ShapesVlm)
    with open(f"{args.folder}/answers.json") as f:
        cases = json.load(f)
    by_prompt = {}
    for case in cases:
        by_prompt.setdefault(case["prompt"], []).append(case)
    same = 0
    for prompt, group in by_prompt.items():
        pixels = torch.from_numpy(np.stack([preprocess(np.asarray(Image.open(c["image"]).convert("RGB"))) for c in group]))
        for case, words in zip(group, model.answer(pixels, prompt)):
            if " ".join(words) == case["answer"].strip():
                same += 1
            else:
                print(f"  {case['image']} {prompt!r}: torch {' '.join(words)!r}, onnx {case['answer']!r}")
    print(f"{same} / {len(cases)} answers the same")
    sys.exit(0 if same >= args.min * len(cases) else 1)


if __name__ == "__main__":
    main()
