"""The contract's shapes-clip measures, on fresh scenes from this generator (seeded apart from training).

- one-object top-1 over the 24 prompts `a {colour} {shape}`;
- two/three-object scenes: share of (present object, absent prompt) pairs where the object's prompt wins;
- pointing game: the argmax patch of the alignment map for an object's prompt touches its box, for the
  standard dense map (patch tokens through ln_post + proj) and the last layer's values alone through its output
  projection (no residual, no MLP: `--alignment values`, not MaskCLIP).
"""
import argparse
import json

import numpy as np
import torch
from torch.nn import functional as F

from batches import draw_scene, token_tensor
from preprocess import box_patches
from shapes_world import KINDS
from train_loop import load_checkpoint

PROMPTS = [("object", k) for k in KINDS]


@torch.no_grad()
def evaluate(model, seed, n_single=480, n_multi=480, batch=96):
    """Metrics dict; scenes come from their own seed, never the training stream's."""
    model.eval()
    rng = np.random.default_rng([seed, 7919])
    text = F.normalize(model.text(token_tensor(PROMPTS))[0], dim=-1)
    grid, size = model.vision.grid, model.vision.grid * model.vision.patch_embed.kernel_size[0]
    single_hits, rank_wins, rank_pairs = 0, 0, 0
    pointing = {"standard": 0, "value": 0}
    pointed = 0
    for n_objects, count in ((1, n_single), (None, n_multi)):
        for start in range(0, count, batch):
            drawn = [draw_scene(rng, n_objects or int(rng.integers(2, 4))) for _ in range(min(batch, count - start))]
            pixels = torch.from_numpy(np.stack([p for _, p in drawn]))
            img = F.normalize(model.vision(pixels)[0], dim=-1)
            sims = img @ text.t()
            dense = [F.normalize(d, dim=-1) @ text.t() for d in model.vision.dense(pixels)]
            for i, (scene, _) in enumerate(drawn):
                present = [KINDS.index(o.kind) for o in scene.objects]
                if n_objects == 1:
                    single_hits += int(sims[i].argmax()) == present[0]
                    continue
                absent = [j for j in range(len(KINDS)) if j not in present]
                for o, j in zip(scene.objects, present):
                    rank_wins += int((sims[i, j] > sims[i, absent]).sum())
                    rank_pairs += len(absent)
                    pointed += 1
                    for name, d in zip(pointing, dense):
                        pointing[name] += int(d[i, :, j].argmax()) in box_patches(o.bounds(), scene.side, grid, size)
    model.train()
    return {
        "one_object_top1": single_hits / n_single,
        "multi_object_ranking": rank_wins / rank_pairs,
        "pointing_standard": pointing["standard"] / pointed,
        "pointing_value_path": pointing["value"] / pointed,
        "scenes": {"one_object": n_single, "multi_object": n_multi, "objects_pointed": pointed},
    }


def main():
    from clip_model import ShapesClip

    ap = argparse.ArgumentParser(description="Evaluate a shapes-clip checkpoint on fresh scenes.")
    ap.add_argument("checkpoint")
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--scenes", type=int, default=1000)
    args = ap.parse_args()
    model, _ = load_checkpoint(args.checkpoint, ShapesClip)
    print(json.dumps(evaluate(model, args.seed, args.scenes, args.scenes), indent=2))


if __name__ == "__main__":
    main()
