"""Trains shapes-fusion (image-text matching with hard negatives) and saves a checkpoint for export_fusion.py."""
import argparse

import torch
from torch.nn import functional as F

from eval_fusion import evaluate
from fusion_data import TEXT_LEN, fusion_batch
from fusion_model import ShapesFusion, init_from_clip
from batches import loader
from tokens import BOS_ID, EOS_ID, PAD_ID, VOCAB
from train_loop import train


def config(args) -> dict:
    return {
        "width": args.width, "layers": args.layers, "heads": 4, "rtd_layer": args.rtd_layer,
        "ground_layer": args.ground_layer,
        "vision": {"image_size": 64, "patch_size": 8},
        "text": {"vocab_size": len(VOCAB), "max_len": TEXT_LEN, "bos_id": BOS_ID, "eos_id": EOS_ID, "pad_id": PAD_ID},
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=1200)
    ap.add_argument("--scenes", type=int, default=48, help="scenes a batch; each gives a match and a hard negative")
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--layers", type=int, default=5)
    ap.add_argument("--rtd-layer", type=int, default=3, help="layer whose output detects replaced tokens")
    ap.add_argument("--mlm-weight", type=float, default=0.25)
    ap.add_argument("--rtd-weight", type=float, default=0.5)
    ap.add_argument("--ground-weight", type=float, default=0.5)
    ap.add_argument("--ground-layer", type=int, default=2, help="layer whose output grounds shape words")
    ap.add_argument("--init-from", default="/tmp/shapes-train/clip.pt",
                    help="a shapes-clip checkpoint whose vision tower starts the model ('' to start from scratch)")
    ap.add_argument("--seed", type=int, default=4321)
    ap.add_argument("--out", default="/tmp/shapes-train/fusion.pt")
    ap.add_argument("--eval-every", type=int, default=300)
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    cfg = config(args)
    model = ShapesFusion(cfg)
    if args.init_from:
        init_from_clip(model, torch.load(args.init_from)["model"])

    def loss_fn(m, b):
        states = m.states(b["input_ids"], b["attention_mask"], b["pixel_values"])
        logits, hidden = m.head(states[-1])
        labels, text_len = b["labels"], b["input_ids"].shape[1]
        itm = F.cross_entropy(logits, labels)
        # Each scene's match should outscore its own hard negative: a sharper signal than two separate labels.
        margin = logits[:, 1] - logits[:, 0]
        half = labels.shape[0] // 2
        rank = F.softplus(margin[half:] - margin[:half]).mean()
        # Token-level supervision of the same decision: which caption words disagree with the image.
        flags = m.rtd_head(m.rtd_norm(states[m.rtd_layer][:, :text_len])).squeeze(-1)
        rtd = F.binary_cross_entropy_with_logits(flags, b["replaced"],
                                                 weight=b["attention_mask"].float())
        # Grounding: each matching caption's shape words point at their objects' patches.
        ground = b["ground"][:half]
        has = ground.sum(-1) > 0
        logp = F.log_softmax(m.pointer(states[m.ground_layer][:half], text_len), dim=-1)
        grd = -(ground * logp).sum(-1)[has].mean()
        mlm_hidden = m(b["mlm_ids"], b["mlm_mask"], b["pixel_values"][: b["mlm_ids"].shape[0]])[1]
        mlm = F.cross_entropy(m.mlm_head(mlm_hidden[:, :text_len]).flatten(0, 1), b["mlm_targets"].flatten())
        total = itm + 0.5 * rank + args.rtd_weight * rtd + args.mlm_weight * mlm + args.ground_weight * grd
        return total, {
            "itm": itm.item(), "rank": rank.item(), "rtd": rtd.item(), "mlm": mlm.item(), "ground": grd.item(),
            "acc": (logits.argmax(-1) == labels).float().mean().item()}

    train(model, loader(fusion_batch, args.scenes, args.seed), loss_fn, lambda m: evaluate(m, args.seed + 1, 300),
          {"config": cfg}, args)


if __name__ == "__main__":
    main()
