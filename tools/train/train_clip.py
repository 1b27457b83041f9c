"""Trains shapes-clip on fresh shapes-world batches and saves a checkpoint (export_clip.py makes the ONNX files).

Loss: CLIP's symmetric contrastive loss with soft targets over every matching (scene, caption) pair, plus
a light patch-level term (see --dense-weight) that trains the standard dense map the extension shows.
"""
import argparse
import math

import torch
from torch.nn import functional as F

from batches import clip_batch, loader
from clip_model import ShapesClip, soft_contrastive
from eval_clip import evaluate
from tokens import EOS_ID, VOCAB
from train_loop import train


def config(args) -> dict:
    return {
        "proj_dim": args.proj_dim,
        "vision": {"image_size": 64, "patch_size": 8, "width": args.width, "layers": args.vision_layers, "heads": 4},
        "text": {"vocab_size": len(VOCAB), "max_len": 32, "width": args.width, "layers": args.text_layers,
                 "heads": 4, "eos_id": EOS_ID},
    }


def losses(model, pixels, ids, match, one_object, dense_weight):
    """(total, clip, dense). The dense term is FILIP-style multiple-instance contrast: a scene's score for a
    one-object caption is its best patch's, so the patch map must find the object to tell scenes apart."""
    image_embeds, hidden = model.vision(pixels)
    text = F.normalize(model.text(ids)[0], dim=-1)
    img = F.normalize(image_embeds, dim=-1)
    clip = soft_contrastive(model.logit_scale.exp() * img @ text.t(), match)
    if dense_weight == 0:
        return clip, clip, torch.zeros(())
    patches = F.normalize(model.vision.proj(model.vision.ln_post(hidden[:, 1:])), dim=-1)
    cols = one_object.nonzero().squeeze(1)
    best = torch.einsum("bpd,jd->bjp", patches, text[cols]).amax(dim=-1)
    dense = soft_contrastive(model.dense_scale.exp() * best, match[:, cols])
    return clip + dense_weight * dense, clip, dense


def clamp_scales(model):
    with torch.no_grad():
        model.logit_scale.clamp_(0, math.log(100))  # CLIP's clamp
        model.dense_scale.clamp_(0, math.log(100))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=1200)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--proj-dim", type=int, default=64)
    ap.add_argument("--vision-layers", type=int, default=4)
    ap.add_argument("--text-layers", type=int, default=2)
    ap.add_argument("--dense-weight", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--out", default="/tmp/shapes-train/clip.pt")
    ap.add_argument("--eval-every", type=int, default=400)
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    cfg = config(args)
    model = ShapesClip(cfg)

    def loss_fn(m, batch):
        total, clip, dense = losses(m, *batch, args.dense_weight)
        return total, {"clip": clip.item(), "dense": dense.item(), "scale": m.logit_scale.exp().item()}

    train(model, loader(clip_batch, args.batch, args.seed), loss_fn, lambda m: evaluate(m, args.seed + 1, 192, 192),
          {"config": cfg}, args, after_step=clamp_scales)


if __name__ == "__main__":
    main()
