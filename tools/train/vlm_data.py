"""The shapes-vlm's prompts, answers and vocabulary, and its training batches.

Four prompts, each answered from the scene alone (the rules are the model card's):
- "Describe the image." -> every object as `a {colour} {shape}`, joined by "and", left to right by centre x;
- "What colour is the {shape}?" -> the colour word, asked only of a shape the scene holds once;
- "Where is the {colour} {shape}?" -> `position(...)` of that object;
- "How many shapes?" -> one / two / three.
Every answer ends with the end token.
"""
import os
import sys

import jinja2
import numpy as np
import torch

from batches import draw_scene
from shapes_world import COLOURS, SHAPES, VOCABULARY

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from tinyLlava import CHAT_TEMPLATE, SPECIALS, token_ids  # noqa: E402

QUESTION_WORDS = ("user", "assistant", ":", ".", "?", "describe", "image", "what", "colour", "is", "where", "how",
                  "many", "shapes", "one", "two", "three", "centre")
VOCAB = {t: i for i, t in enumerate((*SPECIALS, *VOCABULARY, *QUESTION_WORDS))}
BOS_ID, EOS_ID, PAD_ID, UNK_ID, IMAGE_ID = (VOCAB[t] for t in SPECIALS)
COUNTS = ("one", "two", "three")
PLACES = ("left", "right", "top", "bottom", "centre")
KINDS = ("describe", "colour", "where", "count")


def position(cx, cy, side):
    """`centre` when the centre lies in the middle third both ways; else the side it is furthest toward
    (horizontal when |x - 1/2| >= |y - 1/2|; y grows downwards)."""
    u, v = cx / side - 0.5, cy / side - 0.5
    if abs(u) <= 1 / 6 and abs(v) <= 1 / 6:
        return "centre"
    if abs(u) >= abs(v):
        return "left" if u < 0 else "right"
    return "top" if v < 0 else "bottom"


def caption_order(objects):
    """The objects as the caption names them: left to right by centre x, then top to bottom."""
    return sorted(objects, key=lambda o: (o.cx, o.cy))


def caption(objects):
    """Every object named in caption_order, joined by "and": `a {colour} {shape}`, so object j's colour is word
    4j + 1 and its shape word 4j + 2."""
    return " and ".join(f"a {o.colour} {o.shape}" for o in caption_order(objects))


def questions(scene, rng):
    """(kind, prompt, answer, grounds) for each kind this scene can be asked; `colour` and `where` pick one object.
    grounds: (answer word index, object) for each word about one object: a caption's colour and shape words, the
    colour and where answers."""
    objects = scene.objects
    out = [("describe", "Describe the image.", caption(objects),
            [(4 * j + w, o) for j, o in enumerate(caption_order(objects)) for w in (1, 2)])]
    unique = held_once(objects)
    if unique:
        held = unique[int(rng.integers(len(unique)))]
        out.append(("colour", colour_prompt(held.shape), held.colour, [(0, held)]))
    o = objects[int(rng.integers(len(objects)))]
    out.append(("where", f"Where is the {o.colour} {o.shape}?", position(o.cx, o.cy, scene.side), [(0, o)]))
    out.append(("count", "How many shapes?", COUNTS[len(objects) - 1], []))
    return out


def held_once(objects):
    """The objects whose shape no other object of the scene has, in SHAPES order (the ones a colour question may ask)."""
    return [o for s in SHAPES for o in objects if o.shape == s and sum(p.shape == s for p in objects) == 1]


def colour_prompt(shape):
    """The colour question about `shape`."""
    return f"What colour is the {shape}?"


def prompt_text(question):
    """The user's question through the chat template, as Hugging Face's apply_chat_template renders it."""
    return jinja2.Environment().from_string(CHAT_TEMPLATE).render(
        messages=[{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": question}]}],
        add_generation_prompt=True, eos_token="</s>", bos_token="<s>")


def sequence(question, answer, image_tokens):
    """(ids with the image token expanded to `image_tokens` copies, index of the first answer id, image start)."""
    ids = []
    for t in token_ids(prompt_text(question), VOCAB):
        ids += [IMAGE_ID] * image_tokens if t == IMAGE_ID else [t]
    start = len(ids)
    return ids + [VOCAB[w] for w in answer.split()] + [EOS_ID], start, ids.index(IMAGE_ID)


def patch_owners(scene, grid=8):
    """[grid * grid] row-major: the index of the object whose box holds each patch's centre, -1 for background."""
    owners = np.full(grid * grid, -1, dtype=np.int64)
    for k in range(grid * grid):
        x, y = ((k % grid + 0.5) / grid * scene.side, (k // grid + 0.5) / grid * scene.side)
        for j, o in enumerate(scene.objects):
            x0, y0, x1, y1 = o.bounds()
            if x0 <= x < x1 and y0 <= y < y1:
                owners[k] = j
    return owners


def box_patches(obj, side, grid=8):
    """[grid * grid] row-major: 1 on each patch whose cell overlaps the object's box (never empty), else 0."""
    x0, y0, x1, y1 = (v / side * grid for v in obj.bounds())
    cols, rows = np.arange(grid), np.arange(grid)[:, None]
    return ((cols < x1) & (cols + 1 > x0) & (rows < y1) & (rows + 1 > y0)).astype(np.float32).reshape(-1)


def patch_labels(scene, grid=8):
    """[grid * grid, 3] row-major: the colour, shape and position word (PLACES; each 1-based, 0 background) of the
    object whose box holds each patch's centre (boxes never overlap)."""
    labels = np.zeros((grid * grid, 3), dtype=np.int64)
    for k, j in enumerate(patch_owners(scene, grid)):
        if j >= 0:
            o = scene.objects[j]
            labels[k] = (list(COLOURS).index(o.colour) + 1, SHAPES.index(o.shape) + 1,
                         PLACES.index(position(o.cx, o.cy, scene.side)) + 1)
    return labels


def asked_rows(asked, rng, per_scene, mix):
    """Indices into `asked` of the questions put to one scene: all (at 4 or more), else `per_scene` drawn without
    replacement, evenly or by the weights `mix` gives each kind (KINDS order)."""
    if per_scene >= len(asked):
        # All of them draw nothing more, so stages run before --questions existed reproduce.
        return range(len(asked))
    if mix is None:
        return rng.permutation(len(asked))[:per_scene]
    weights = np.array([mix[KINDS.index(kind)] for kind, *_ in asked], dtype=np.float64)
    return rng.choice(len(asked), size=per_scene, replace=False, p=weights / weights.sum())


def vlm_batch(rng, scenes, image_tokens, per_scene=4, mix=None):
    """(pixels [S,3,64,64], scene index [B], input ids [B,T], targets [B,T] (-100 off the answer), image start,
    patch labels [S,64,3], ground (row [G], position [G], patches [G,64]), named (row [Q], position [Q], patches
    [Q,64])): ground holds, for each answer word about one object (questions' grounds), the sequence row, the
    position that predicts the word and 1 on the object's patches; named the same for the shape word of each colour
    and where question (the word that names the object asked about).

    Each scene is asked `per_scene` of the questions it allows (all, at 4; see asked_rows), so one vision pass
    serves that many sequences."""
    drawn = [draw_scene(rng) for _ in range(scenes)]
    rows, owner, ground, named = [], [], [], []
    for i, (scene, _) in enumerate(drawn):
        asked = questions(scene, rng)
        for j in asked_rows(asked, rng, per_scene, mix):
            kind, q, a, grounds = asked[j]
            ids, start, image_start = sequence(q, a, image_tokens)
            # Answer word w is the target at position start - 1 + w.
            ground += [(len(rows), start - 1 + w, box_patches(o, scene.side)) for w, o in grounds]
            if kind in ("colour", "where"):
                o = grounds[0][1]
                named.append((len(rows), start - 1 - ids[:start][::-1].index(VOCAB[o.shape]), box_patches(o, scene.side)))
            rows.append((ids, start, image_start))
            owner.append(i)
    length = max(len(ids) for ids, _, _ in rows) - 1
    inputs = torch.full((len(rows), length), PAD_ID, dtype=torch.int64)
    targets = torch.full((len(rows), length), -100, dtype=torch.int64)
    for r, (ids, start, _) in enumerate(rows):
        inputs[r, : len(ids) - 1] = torch.tensor(ids[:-1])
        targets[r, start - 1: len(ids) - 1] = torch.tensor(ids[start:])
    pixels = torch.from_numpy(np.stack([p for _, p in drawn]))
    labels = torch.from_numpy(np.stack([patch_labels(scene) for scene, _ in drawn]))
    return (pixels, torch.tensor(owner), inputs, targets, rows[0][2], labels, grounded(ground, image_tokens),
            grounded(named, image_tokens))


def grounded(cases, image_tokens):
    """(row [G], position [G], patches [G, image_tokens]) tensors of (row, position, patches) cases."""
    return (torch.tensor([g[0] for g in cases], dtype=torch.int64), torch.tensor([g[1] for g in cases], dtype=torch.int64),
            torch.from_numpy(np.stack([g[2] for g in cases])) if cases else torch.zeros(0, image_tokens))
