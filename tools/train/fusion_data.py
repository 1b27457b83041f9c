"""Image-text matching examples for shapes-fusion: every scene once with a matching caption and once with a
hard negative, so the model must read the caption's details to tell the two apart on the same pixels."""
import numpy as np
import torch

import captions as C
from batches import draw_scene, ids_tensor, pick
from preprocess import box_patches
from shapes_world import COLOURS, KINDS, SHAPES, inside
from tokens import PAD_ID, UNK_ID, VOCAB

TEXT_LEN = 12  # the longest contract caption is 7 words + start and end tokens
CONTENT_IDS = {VOCAB[w] for w in (*COLOURS, *SHAPES, *C.SIDES, "above")}
WORDS = {i: w for w, i in VOCAB.items()}
COLOUR_INDEX = {c: i for i, c in enumerate(COLOURS)}
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


def noun_phrases(ids):
    """(position of the shape word, (colour, shape)) for each `colour shape` pair in a token id list."""
    return [(t, (WORDS[ids[t - 1]], WORDS[ids[t]])) for t in range(1, len(ids))
            if WORDS[ids[t]] in SHAPES and WORDS[ids[t - 1]] in COLOURS]


def named_objects(scene, ids):
    """(position of the shape word, the object) for each noun phrase of a token id list whose object is in the scene."""
    found = [(t, C.find(scene, kind)) for t, kind in noun_phrases(ids)]
    return [(t, obj) for t, obj in found if obj is not None]


def grounding(scene, ids):
    """Where each named object is: targets [L, GRID*GRID], for the shape word of each noun phrase whose object is
    in the scene an even distribution over the patches its box overlaps, else zeros."""
    target = torch.zeros(len(ids), GRID * GRID)
    for t, obj in named_objects(scene, ids):
        patches = box_patches(obj.bounds(), scene.side, GRID)
        target[t, patches] = 1 / len(patches)
    return target


def np_centres(scene, ids):
    """[L, 2] where each noun phrase's object is: its centre (x, y) as fractions of the side, in -1..1, for the
    shape word of each noun phrase whose object is in the scene; NaN elsewhere."""
    target = torch.full((len(ids), 2), float("nan"))
    for t, obj in named_objects(scene, ids):
        target[t] = torch.tensor([obj.cx, obj.cy]) / scene.side * 2 - 1
    return target


def np_sides(scene, ids):
    """[L, 4] for the shape word of each noun phrase whose object is in the scene: whether the object's centre is
    in the outer third on each side (captions.SIDES order), the test a position caption makes; NaN elsewhere."""
    target = torch.full((len(ids), len(C.SIDES)), float("nan"))
    for t, obj in named_objects(scene, ids):
        target[t] = torch.tensor([float(C.in_outer_third(scene, obj, side)) for side in C.SIDES])
    return target


def np_colours(ids):
    """[L] the colour index of each shape word's noun phrase (text only), -100 for other tokens."""
    labels = torch.full((len(ids),), -100)
    for t, (colour, _) in noun_phrases(ids):
        labels[t] = COLOUR_INDEX[colour]
    return labels


def patch_kinds(scene):
    """[GRID*GRID] what each patch's centre shows: 1 + the KINDS index of the object there, 0 for background."""
    labels = torch.zeros(GRID * GRID, dtype=torch.int64)
    for r in range(GRID):
        for c in range(GRID):
            x, y = (c + 0.5) * scene.side / GRID, (r + 0.5) * scene.side / GRID
            for o in scene.objects:
                if inside(o.shape, np.float32(x - o.cx), np.float32(y - o.cy), o.box):
                    labels[r * GRID + c] = 1 + KINDS.index(o.kind)
    return labels


def easy_negative(scene, others, rng):
    """A caption of another scene that does not hold on this one (ViLT's random negative): it names an absent
    object, so it teaches what each word looks like long before the hard negatives' bindings can be learned."""
    for start in range(len(others)):
        source = C.matching(others[(start + int(rng.integers(len(others)))) % len(others)])
        c = pick(rng, [c for caps in source.values() for c in caps])
        if not C.holds(c, scene):
            return c
    return ("object", next((k, s) for k in COLOURS for s in SHAPES if C.find(scene, (k, s)) is None))


def fusion_batch(rng, scenes, easy=False, max_objects=3):
    """A training batch for B scenes, as a dict of tensors:
    Scenes hold 1 to `max_objects` objects (a curriculum can start with one).
    - ITM rows, B matches, their B hard negatives, then (with `easy`) B easy negatives: input_ids, attention_mask [3B, L],
      pixel_values [3B, 3, S, S], labels [3B] (1 = match), replaced [3B, L] (1 where a hard negative's token
      differs from its match's: the words the perturbation changed, for ELECTRA-style replaced-token detection),
      rtd_weight [3B, L] (real tokens of the first 2B rows);
    - ground [3B, L, G*G]: where each named object is (see grounding); np_colour [3B, L] (see np_colours);
      np_centre [3B, L, 2]: where each named object's centre is (see np_centres); np_sides [3B, L, 4] (see np_sides);
      patch_kind [B, G*G]: what each patch of the B scenes shows (see patch_kinds);
    - masked-word rows for the first B/2 matches: mlm_ids, mlm_mask, mlm_targets [B/2, L]."""
    drawn = [draw_scene(rng, int(rng.integers(1, max_objects + 1))) for _ in range(scenes)]
    rows = [example(s, rng) for s, _ in drawn]
    easy = [easy_negative(s, [o for o, _ in drawn], rng) for s, _ in drawn] if easy else []
    ids, mask = encode_batch([r[0] for r in rows] + [r[1] for r in rows] + easy)
    copies = ids.shape[0] // scenes
    replaced = torch.zeros(ids.shape)
    replaced[scenes:2 * scenes] = (ids[scenes:2 * scenes] != ids[:scenes]).float()
    rtd_weight = mask.float()
    rtd_weight[2 * scenes:] = 0
    mlm_ids, mlm_targets = masked(ids[: scenes // 2], rng)
    return {"input_ids": ids, "attention_mask": mask, "pixel_values": torch.from_numpy(np.stack([p for _, p in drawn] * copies)),
            "labels": torch.tensor([1] * scenes + [0] * (copies - 1) * scenes), "replaced": replaced, "rtd_weight": rtd_weight,
            "ground": torch.stack([grounding(s, row.tolist()) for (s, _), row in zip(drawn * copies, ids)]),
            "np_colour": torch.stack([np_colours(row.tolist()) for row in ids]),
            "np_centre": torch.stack([np_centres(s, row.tolist()) for (s, _), row in zip(drawn * copies, ids)]),
            "np_sides": torch.stack([np_sides(s, row.tolist()) for (s, _), row in zip(drawn * copies, ids)]),
            "patch_kind": torch.stack([patch_kinds(s) for s, _ in drawn]),
            "mlm_ids": mlm_ids, "mlm_mask": mask[: scenes // 2], "mlm_targets": mlm_targets}
