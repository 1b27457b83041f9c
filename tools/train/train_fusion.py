"""Trains shapes-fusion (image-text matching with hard negatives) and saves a checkpoint for export_fusion.py.

Each hard negative differs from its matching caption only in binding (which colour goes with which shape),
position or word order, so a binary label alone gives almost no gradient at the start: the model has to
find the named objects before it can compare anything. Auxiliary tasks build that chain step by step:
- np colour (text only, after --bind-layer): each shape word predicts its noun phrase's colour, so it binds them;
- patch kinds (image only, after --patch-layer; 0 = the patch embeddings): each patch predicts the colour and
  shape of the object it shows;
- grounding (attention head 0 of --ground-layer): each shape word attends to its object's patches when the
  object is in the scene, else to the start token;
- np centre and sides (after the grounding layer): each shape word regresses its object's centre and tells which
  outer thirds it lies in, when present;
- replaced-token detection (after layer rtd_layer): which words of a negative were changed (ELECTRA);
- masked words (final layer, ViLT's MLM): one colour, shape or side word of a match predicted from the image;
- ranking: each scene's match scores above its own negative, on top of ITM cross-entropy.
"""
import argparse
from functools import partial

import torch
from torch.nn import functional as F

from batches import loader
from eval_fusion import evaluate
from fusion_data import TEXT_LEN, fusion_batch
from fusion_model import ShapesFusion, init_words
from tokens import BOS_ID, EOS_ID, PAD_ID, VOCAB
from train_loop import load_weights, train


def config(args) -> dict:
    return {
        "width": args.width, "layers": args.layers, "heads": 4, "pos_norm": args.pos_norm,
        "vision": {"image_size": 64, "patch_size": 8, "stem": args.stem},
        "text": {"vocab_size": len(VOCAB), "max_len": TEXT_LEN, "bos_id": BOS_ID, "eos_id": EOS_ID, "pad_id": PAD_ID},
    }


def losses(m, b, args):
    """(weighted total, {name: value}); an auxiliary task at weight 0 is not computed at all."""
    weights = {"itm": 1.0, "rank": 0.5, "rtd": args.rtd_weight, "colour": args.aux_weight,
               "ground": args.aux_weight, "patch": args.aux_weight, "mlm": args.mlm_weight, "centre": args.centre_weight,
               "side": args.side_weight}
    states = m.states(b["input_ids"], b["attention_mask"], b["pixel_values"])
    logits, _ = m.head(states[-1])
    labels, text_len = b["labels"], b["input_ids"].shape[1]
    b_ = b["patch_kind"].shape[0]
    margin = logits[:, 1] - logits[:, 0]
    tasks = {
        # Matches weighted up to the negatives' count, so the head sees the classes balanced, as evaluation does.
        "itm": lambda: F.cross_entropy(logits, labels, weight=torch.tensor([1.0, labels.shape[0] / b_ - 1])),
        "rank": lambda: F.softplus(margin[b_:2 * b_] - margin[:b_]).mean(),
        "rtd": lambda: F.binary_cross_entropy_with_logits(
            m.rtd_head(m.rtd_norm(states[args.rtd_layer][:, :text_len])).squeeze(-1), b["replaced"],
            weight=b["rtd_weight"]),
        "colour": lambda: F.cross_entropy(
            m.colour_head(m.colour_norm(states[args.bind_layer][:, :text_len])).flatten(0, 1), b["np_colour"].flatten()),
        "patch": lambda: F.cross_entropy(
            m.patch_head(m.patch_norm(states[args.patch_layer][:b_, text_len:])).flatten(0, 1), b["patch_kind"].flatten()),
        "ground": lambda: grounding_loss(m, b, text_len, args.ground_layer),
        "centre": lambda: centre_loss(m, b, states[args.ground_layer + 1][:, :text_len]),
        "side": lambda: side_loss(m, b, states[args.ground_layer + 1][:, :text_len]),
        "mlm": lambda: masked_word_loss(m, b, text_len),
    }
    parts = {k: task() for k, task in tasks.items() if weights[k] > 0}
    total = sum(weights[k] * v for k, v in parts.items())
    shown = {k: v.item() for k, v in parts.items()}
    shown["acc"] = (logits.argmax(-1) == labels).float().mean().item()
    return total, shown


def grounding_loss(m, b, text_len, layer):
    """Cross-entropy between head 0's attention in `layer` from each noun phrase's shape word and where its object
    is: its patches when the object is in the scene, else the start token (a sink), so where the word looks
    says whether its object is there."""
    probs = m.encoder.layers[layer].attn.probs[:, 0, :text_len]
    named = b["np_colour"] >= 0
    present = b["ground"].sum(-1) > 0
    on_patches = -(b["ground"] * torch.log(probs[..., text_len:] + 1e-9)).sum(-1)
    on_sink = -torch.log(probs[..., 0] + 1e-9)
    return torch.where(present, on_patches, on_sink)[named].mean()


def centre_loss(m, b, text_states):
    """Squared error of each present noun phrase's object centre read from its shape word after the grounding
    layer, so the word carries where its object is to the position and relation words."""
    known = ~b["np_centre"].isnan().any(-1)
    return F.mse_loss(m.centre_head(m.centre_norm(text_states))[known], b["np_centre"][known])


def side_loss(m, b, text_states):
    """Cross-entropy of the same words' four outer-third flags (the test a position caption makes): sharp at the
    thirds, where the centre's squared error is not."""
    known = ~b["np_sides"].isnan().any(-1)
    return F.binary_cross_entropy_with_logits(m.side_head(m.centre_norm(text_states))[known], b["np_sides"][known])


def grown(model, weights: dict, extra: int, at: int) -> dict:
    """A checkpoint's weights for `model`, which has `extra` more layers, inserted before layer `at`: later
    layers move up, and each new layer starts as the identity (its attention output and MLP output projections
    zero, so the residual stream passes through unchanged) and learns from there."""
    if extra == 0:
        return weights
    out = {}
    for key, value in weights.items():
        parts = key.split(".")
        if key.startswith("encoder.layers.") and int(parts[2]) >= at:
            parts[2] = str(int(parts[2]) + extra)
        out[".".join(parts)] = value
    for i in range(at, at + extra):
        for key, value in model.encoder.layers[i].state_dict().items():
            zero = key.startswith(("attn.out_proj", "mlp.2"))
            out[f"encoder.layers.{i}.{key}"] = torch.zeros_like(value) if zero else value
    return out


def masked_word_loss(m, b, text_len):
    """ViLT's masked-word loss: the masked colour, shape or side word of each row predicted at the final layer."""
    hidden = m(b["mlm_ids"], b["mlm_mask"], b["pixel_values"][: b["mlm_ids"].shape[0]])[1]
    return F.cross_entropy(m.mlm_head(hidden[:, :text_len]).flatten(0, 1), b["mlm_targets"].flatten())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--stop-after", type=int, help="stop (evaluate, save) after this many steps, keeping the learning-rate schedule of --steps")
    ap.add_argument("--scenes", type=int, default=40, help="scenes a batch; each gives a match and a hard negative (and an easy one with --easy)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--stem", choices=("linear", "conv"), default="linear", help="patch embedding (see patch_stem)")
    ap.add_argument("--pos-norm", type=float, default=3.0)
    ap.add_argument("--bind-layer", type=int, default=1, help="layer whose output binds each shape word to its colour (np colour task)")
    ap.add_argument("--patch-layer", type=int, default=0, help="layer whose output tells each patch's object (0: the embeddings)")
    ap.add_argument("--ground-layer", type=int, default=1, help="index of the layer whose head 0 grounds shape words")
    ap.add_argument("--rtd-layer", type=int, default=4, help="layer whose output detects replaced tokens")
    ap.add_argument("--rtd-weight", type=float, default=0.5)
    ap.add_argument("--aux-weight", type=float, default=0.3, help="weight of the np-colour, patch and grounding tasks")
    ap.add_argument("--centre-weight", type=float, default=0.0, help="weight of the np-centre task (see centre_loss)")
    ap.add_argument("--side-weight", type=float, default=0.0, help="weight of the outer-third flags (see side_loss)")
    ap.add_argument("--mlm-weight", type=float, default=0.25)
    ap.add_argument("--init-words", action="store_true", help="start colour, shape and side words at what they name (init_words)")
    ap.add_argument("--max-objects", type=int, default=3, help="objects per training scene at most (1 for a first stage)")
    ap.add_argument("--easy", action="store_true", help="add an easy negative (another scene's caption) per scene")
    ap.add_argument("--resume", help="start from this checkpoint's weights (same architecture flags, or more --layers: see --insert-at), for a later stage")
    ap.add_argument("--insert-at", type=int, default=2, help="with --resume and more --layers than the checkpoint: where the new layers go (see grown)")
    ap.add_argument("--seed", type=int, default=4321)
    ap.add_argument("--out", default="/tmp/shapes-train/fusion.pt")
    ap.add_argument("--eval-every", type=int, default=300)
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    cfg = config(args)
    model = ShapesFusion(cfg)
    if args.resume:
        state = torch.load(args.resume)
        load_weights(model, grown(model, state["model"], args.layers - state["config"]["layers"], args.insert_at))
    elif args.init_words:
        init_words(model, args.seed)
    model.encoder.layers[args.ground_layer].attn.keep_probs = args.aux_weight > 0
    train(model, loader(partial(fusion_batch, easy=args.easy, max_objects=args.max_objects), args.scenes, args.seed), lambda m, b: losses(m, b, args),
          lambda m: evaluate(m, args.seed + 1, 300), {"config": cfg}, args)


if __name__ == "__main__":
    main()
