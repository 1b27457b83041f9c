"""The contract's shapes-fusion measure on fresh scenes: matching captions against hard negatives, half and
half (each scene gives one of each), with accuracy by caption form and by negative kind."""
import argparse
import json
from collections import Counter

import numpy as np
import torch

from batches import draw_scene
from fusion_data import encode_batch, example
from train_loop import load_checkpoint


@torch.no_grad()
def evaluate(model, seed, scenes=1000, batch=100):
    model.eval()
    rng = np.random.default_rng([seed, 104729])
    right, seen = Counter(), Counter()
    for start in range(0, scenes, batch):
        drawn = [draw_scene(rng) for _ in range(min(batch, scenes - start))]
        rows = [example(s, rng) for s, _ in drawn]
        caps = [r[0] for r in rows] + [r[1] for r in rows]
        groups = [f"matched {r[0][0]}" for r in rows] + [f"negative {r[2]}" for r in rows]
        pixels = torch.from_numpy(np.stack([p for _, p in drawn] * 2))
        said_match = model(*encode_batch(caps), pixels)[0].argmax(-1) == 1
        for group, yes, truth in zip(groups, said_match.tolist(), [True] * len(rows) + [False] * len(rows)):
            for key in (group, "all"):
                seen[key] += 1
                right[key] += yes == truth
    model.train()
    return {"accuracy": right["all"] / seen["all"], "examples": seen["all"],
            "by_group": {k: round(right[k] / seen[k], 4) for k in sorted(seen) if k != "all"},
            "group_counts": {k: seen[k] for k in sorted(seen) if k != "all"}}


def main():
    from fusion_model import ShapesFusion

    ap = argparse.ArgumentParser(description="Evaluate a shapes-fusion checkpoint on fresh scenes.")
    ap.add_argument("checkpoint")
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--scenes", type=int, default=1000)
    args = ap.parse_args()
    model, _ = load_checkpoint(args.checkpoint, ShapesFusion)
    print(json.dumps(evaluate(model, args.seed, args.scenes), indent=2))


if __name__ == "__main__":
    main()
