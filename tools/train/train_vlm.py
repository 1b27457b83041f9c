"""Trains shapes-vlm on fresh shapes-world scenes and saves a checkpoint (export_vlm.py writes the model folder).

Each step draws `--scenes` scenes and asks each every question it allows (vlm_data.questions); the loss is the
cross-entropy of the answer's words and its end token, the prompt and image tokens unscored; with --patch-weight,
plus the cross-entropy of each image feature's object colour and shape (vlm_data.patch_labels) through a
training-only head (and each one's object position word); with --ground-weight, a term that draws the attention
(heads and layers averaged) at each word about one object onto that object's patches.
"""
import argparse

import torch
from torch.nn import functional as F

from batches import loader
from eval_vlm import evaluate
from export_vlm import GRAPHS, export_graphs
from onnx_weights import load_onnx_weights
from train_loop import load_weights, train
from vlm_data import vlm_batch
from vlm_model import PATCH_CLASSES, ShapesVlm, config


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
    ap.add_argument("--mix", help="weights of the kinds asked (describe,colour,where,count) when --questions < 4; "
                    "default even")
    ap.add_argument("--patch-weight", type=float, default=0.0)
    ap.add_argument("--ground-weight", type=float, default=0.0,
                    help="weight of the grounding term: at each position that predicts a word about one object (a caption's "
                    "colour and shape words, a colour or where answer), -log of the attention mass (heads and layers "
                    "averaged) on that object's patches")
    ap.add_argument("--ground-last-weight", type=float, default=0.0,
                    help="weight of the same grounding term on the last layer's attention alone (heads averaged), "
                    "where the decoder binds a question's shape to its object")
    ap.add_argument("--ground-heads-weight", type=float, default=0.0,
                    help="weight of the grounding term on each head of the last layer by itself (the mean over heads "
                    "of -log mass), so no head may read its colour from another object")
    ap.add_argument("--ground-from-layer", type=int, default=0,
                    help="average the grounding term's attention over the layers from this one (0-based) on, leaving "
                    "the first ones free to read the question before the image")
    ap.add_argument("--ground-question-weight", type=float, default=0.0,
                    help="weight of a term on the first layer's attention (heads averaged) at a colour or where "
                    "question's shape word: -log of its mass on the asked object's patches, so the word that names the "
                    "object finds it")
    ap.add_argument("--resume", help="start from this checkpoint's weights (same sizes)")
    ap.add_argument("--resume-onnx", help="start from the weights of this exported model folder (same sizes), e.g. "
                    "../../models/shapes-vlm when its checkpoint is gone (onnx_weights.py)")
    ap.add_argument("--stop-after", type=int, help="stop and save after this many steps of the --steps schedule")
    ap.add_argument("--seed", type=int, default=1515)
    ap.add_argument("--out", default="/tmp/shapes-train/vlm.pt")
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--eval-scenes", type=int, default=240)
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    cfg = config(args.width, args.vision_layers, args.decoder_layers, vision_width=args.vision_width)
    model = ShapesVlm(cfg)
    if args.resume:
        load_weights(model, torch.load(args.resume)["model"])
    if args.resume_onnx:
        # The tower's last layer is never exported (layer -2 is read); it and the training-only heads stay fresh.
        unexported = (f"vision.layers.{len(model.vision.layers) - 1}.", *model.TRAINING_ONLY)
        copied = load_onnx_weights(model, lambda m, d: export_graphs(m, cfg[1], d), args.resume_onnx, GRAPHS, unexported)
        print(f"{copied} parameters from {args.resume_onnx}", flush=True)
    tokens = model.image_tokens
    mix = [float(w) for w in args.mix.split(",")] if args.mix else None

    def loss_fn(m, batch):
        pixels, owner, ids, targets, image_start, labels, ground, named = batch
        features = m.vision(pixels)
        logits, attention = m.logits(features[owner], ids, image_start, attention=True)
        answer = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        loss, parts = answer, {"answer": answer.item()}
        if args.patch_weight:
            kinds = m.patch_head(features)
            patch = sum(F.cross_entropy(kinds[..., a:b].reshape(-1, b - a), labels[..., j].reshape(-1))
                        for j, (a, b) in enumerate(zip(PATCH_CLASSES, PATCH_CLASSES[1:])))
            loss, parts["patch"] = loss + args.patch_weight * patch, patch.item()
        grounded = len(ground[0])

        def grounding(maps, cases=ground):
            # -log of the attention mass on the word's object, at the position predicting the word.
            rows, at, patches = cases
            return -torch.log((maps[rows, at, image_start: image_start + tokens] * patches).sum(-1) + 1e-6).mean()

        if args.ground_weight and grounded:
            # At 0: what the views' default word map shows, every layer's attention, heads averaged, then layers averaged.
            term = grounding(torch.stack([a.mean(1) for a in attention[args.ground_from_layer:]]).mean(0))
            loss, parts["ground"] = loss + args.ground_weight * term, term.item()
        if args.ground_last_weight and grounded:
            term = grounding(attention[-1].mean(1))
            loss, parts["ground_last"] = loss + args.ground_last_weight * term, term.item()
        if args.ground_heads_weight and grounded:
            last = attention[-1]
            term = sum(grounding(last[:, h]) for h in range(last.shape[1])) / last.shape[1]
            loss, parts["ground_heads"] = loss + args.ground_heads_weight * term, term.item()
        if args.ground_question_weight and len(named[0]):
            term = grounding(attention[0].mean(1), named)
            loss, parts["ground_question"] = loss + args.ground_question_weight * term, term.item()
        return loss, parts

    train(model, loader(lambda rng, n: vlm_batch(rng, n, tokens, args.questions, mix), args.scenes, args.seed), loss_fn,
          lambda m: evaluate(m, args.seed + 1, args.eval_scenes), {"config": cfg}, args)


if __name__ == "__main__":
    main()
