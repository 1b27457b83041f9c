"""Trains shapes-vlm on fresh shapes-world scenes and saves a checkpoint (export_vlm.py writes the model folder).

Each step draws `--scenes` scenes and asks each every question it allows (vlm_data.questions); the loss is the
cross-entropy of the answer's words and its end token, the prompt and image tokens unscored; with --patch-weight,
plus the cross-entropy of each image feature's object colour and shape (vlm_data.patch_labels) through a
training-only head.
"""
import argparse

import torch
from torch.nn import functional as F

from batches import loader
from eval_vlm import evaluate
from train_loop import load_weights, train
from vlm_data import vlm_batch
from vlm_model import ShapesVlm, config


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--scenes", type=int, default=24, help="scenes a step")
    ap.add_argument("--questions", type=int, default=4, help="questions asked of each scene a step (at most 4)")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--width", type=int, default=96)
    ap.add_argument("--vision-width", type=int, default=96)
    ap.add_argument("--vision-layers", type=int, default=4)
    ap.add_argument("--decoder-layers", type=int, default=3)
    ap.add_argument("--patch-weight", type=float, default=0.0)
    ap.add_argument("--resume", help="start from this checkpoint's weights (same sizes)")
    ap.add_argument("--stop-after", type=int, help="stop and save after this many steps of the --steps schedule")
    ap.add_argument("--seed", type=int, default=1515)
    ap.add_argument("--out", default="/tmp/shapes-train/vlm.pt")
    ap.add_argument("--eval-every", type=int, default=250)
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    cfg = config(args.width, args.vision_layers, args.decoder_layers, vision_width=args.vision_width)
    model = ShapesVlm(cfg)
    if args.resume:
        load_weights(model, torch.load(args.resume)["model"])
    tokens = model.image_tokens

    def loss_fn(m, batch):
        pixels, owner, ids, targets, image_start, labels = batch
        features = m.vision(pixels)
        logits = m.logits(features[owner], ids, image_start)
        answer = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        if args.patch_weight == 0:
            return answer, {"answer": answer.item()}
        kinds = m.patch_head(features)
        patch = F.cross_entropy(kinds[..., :7].reshape(-1, 7), labels[..., 0].reshape(-1)) + \
            F.cross_entropy(kinds[..., 7:].reshape(-1, 5), labels[..., 1].reshape(-1))
        return answer + args.patch_weight * patch, {"answer": answer.item(), "patch": patch.item()}

    train(model, loader(lambda rng, n: vlm_batch(rng, n, tokens, args.questions), args.scenes, args.seed), loss_fn,
          lambda m: evaluate(m, args.seed + 1), {"config": cfg}, args)


if __name__ == "__main__":
    main()
