"""shapes-vlm's figures on fresh scenes from this generator (seeded apart from training), greedy as the product
decodes: caption exactly right (every object named once, none invented), and colour, position and count answers."""
import argparse
import json

import numpy as np
import torch

from batches import draw_scene
from train_loop import load_checkpoint
from vlm_data import caption, colour_prompt, held_once, questions
from vlm_model import ShapesVlm


def objects_named(words):
    """The (colour, shape) pairs of a caption `a c s and a c s ...`, or None when it is not of that form."""
    groups = " ".join(words).split(" and ")
    kinds = [tuple(g.split()[1:]) for g in groups if len(g.split()) == 3 and g.split()[0] == "a"]
    return kinds if len(kinds) == len(groups) else None


@torch.no_grad()
def evaluate(model, seed, scenes=240, batch=60, show=0):
    """{"caption", "colour", "where", "count", "colour_many"}: the share right, each over `scenes` scenes (colour:
    one shape held once of each scene that has one; colour_many: every shape held once of each scene of two or more
    objects, as the Node pipeline's vlmQuality.ts asks)."""
    model.eval()
    rng = np.random.default_rng([seed, 4243])
    right = {k: 0 for k in ("describe", "colour", "where", "count", "colour_many")}
    asked = dict.fromkeys(right, 0)
    for first in range(0, scenes, batch):
        drawn = [draw_scene(rng) for _ in range(min(batch, scenes - first))]
        pixels = torch.from_numpy(np.stack([p for _, p in drawn]))
        by_kind = {}
        for i, (scene, _) in enumerate(drawn):
            for kind, q, a, _ in questions(scene, rng):
                by_kind.setdefault((kind, q), []).append((i, a, scene))
            if len(scene.objects) > 1:
                for o in held_once(scene.objects):
                    by_kind.setdefault(("colour_many", colour_prompt(o.shape)), []).append((i, o.colour, scene))
        for (kind, q), cases in by_kind.items():
            answers = model.answer(pixels[[i for i, _, _ in cases]], q)
            for (i, a, scene), words in zip(cases, answers):
                asked[kind] += 1
                if kind == "describe":
                    named = objects_named(words)
                    ok = named is not None and sorted(named) == sorted(o.kind for o in scene.objects)
                else:
                    ok = words == a.split()
                right[kind] += ok
                if not ok and show > 0:
                    show -= 1
                    print(f"  {q!r}: {' '.join(words)!r}, expected {a!r} ({caption(scene.objects)})")
    model.train()
    return {("caption" if k == "describe" else k): round(right[k] / max(1, asked[k]), 4) for k in right}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("checkpoint")
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--scenes", type=int, default=600)
    ap.add_argument("--show", type=int, default=20, help="print this many wrong answers")
    args = ap.parse_args()
    model, _ = load_checkpoint(args.checkpoint, ShapesVlm)
    print(json.dumps(evaluate(model, args.seed, args.scenes, show=args.show)))


if __name__ == "__main__":
    main()
