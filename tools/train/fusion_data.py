"""Image-text matching examples for shapes-fusion: every scene once with a matching caption and once with a
hard negative, so the model must read the caption's details to tell the two apart on the same pixels."""
import numpy as np
import torch

import captions as C
from batches import draw_scene, ids_tensor, pick
from preprocess import box_patches
from shapes_world import COLOURS, SHAPES
from tokens import PAD_ID, UNK_ID, VOCAB

TEXT_LEN = 12  # the longest contract caption is 7 words + start and end tokens
CONTENT_IDS = {VOCAB[w] for w in (*COLOURS, *SHAPES, *C.SIDES, "above")}
WORDS = {i: w for w, i in VOCAB.items()}
GRID = 8


def negatives(scene, rng) -> dict:
    """The contract's hard negatives of every matching caption, by kind, each as (matching caption, negative)."""
    found = {}
    for caps in C.matching(scene).values():
        for c in caps:
            for kind, neg in C.hard_negatives(c, scene, rng):
                found.setdefault(kind, []).append((c, neg))
    return found


def example(scene, rng):
    """(matching caption, hard negative, its kind). The kind is drawn uniformly among those the scene allows, so
    the rarer ones (relations) are seen as often as the rest; the positive is the caption the negative was
    made from, so the two differ in a few words, in place, on the same pixels."""
    # Never empty: with at most 3 objects, some shape of each named colour is absent (a shape swap).
    by_kind = negatives(scene, rng)
    kind = pick(rng, sorted(by_kind))
    source, negative = pick(rng, by_kind[kind])
    return source, negative, kind


def encode_texts(texts):
    """(input_ids, attention_mask), both [N, TEXT_LEN] int64, as the extension feeds the fusion model."""
    ids = ids_tensor(texts, TEXT_LEN)
    return ids, (ids != PAD_ID).to(torch.int64)


def encode_batch(caps):
    return encode_texts([C.text(c) for c in caps])


def masked(ids, rng):
    """Masked-word examples (ViLT's auxiliary task): one colour, shape, relation or side word of each matching
    caption becomes <unk>, to be predicted from the rest and the image. Returns (input ids, targets) with
    target -100 (ignored) everywhere but the masked position."""
    ids, targets = ids.clone(), torch.full_like(ids, -100)
    for row in range(ids.shape[0]):
        content = [i for i, t in enumerate(ids[row].tolist()) if t in CONTENT_IDS]
        at = content[int(rng.integers(len(content)))]
        targets[row, at] = ids[row, at]
        ids[row, at] = UNK_ID
    return ids, targets


def grounding(scene, ids):
    """Where each shape word of a matching caption is in the image: targets [L, GRID*GRID], for the shape word
    of each noun phrase an even distribution over the patches its object's box overlaps, else zeros."""
    target = torch.zeros(len(ids), GRID * GRID)
    for t in range(1, len(ids)):
        if WORDS[ids[t]] in SHAPES and WORDS[ids[t - 1]] in COLOURS:
            patches = box_patches(C.find(scene, (WORDS[ids[t - 1]], WORDS[ids[t]])).bounds(), scene.side, GRID)
            target[t, patches] = 1 / len(patches)
    return target


def fusion_batch(rng, scenes):
    """A training batch for B scenes, as a dict of tensors:
    - ITM rows, B matches then their B hard negatives: input_ids, attention_mask [2B, L], pixel_values
      [2B, 3, S, S], labels [2B] (1 = match), replaced [2B, L] (1 where a negative's token differs from its
      match's: the words the perturbation changed, for ELECTRA-style replaced-token detection);
    - ground [B, L, G*G]: for the matches, where each shape word's object is (see grounding);
    - masked-word rows for the first B/2 matches: mlm_ids, mlm_mask, mlm_targets [B/2, L]."""
    drawn = [draw_scene(rng) for _ in range(scenes)]
    rows = [example(s, rng) for s, _ in drawn]
    ids, mask = encode_batch([r[0] for r in rows] + [r[1] for r in rows])
    replaced = torch.zeros(ids.shape)
    replaced[scenes:] = (ids[scenes:] != ids[:scenes]).float()
    mlm_ids, mlm_targets = masked(ids[: scenes // 2], rng)
    return {"input_ids": ids, "attention_mask": mask, "pixel_values": torch.from_numpy(np.stack([p for _, p in drawn] * 2)),
            "labels": torch.tensor([1] * scenes + [0] * scenes), "replaced": replaced,
            "ground": torch.stack([grounding(s, row.tolist()) for (s, _), row in zip(drawn, ids)]),
            "mlm_ids": mlm_ids, "mlm_mask": mask[: scenes // 2], "mlm_targets": mlm_targets}
