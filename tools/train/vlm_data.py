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


def caption(objects):
    """Every object named, left to right by centre x (then top to bottom), joined by "and"."""
    ordered = sorted(objects, key=lambda o: (o.cx, o.cy))
    return " and ".join(f"a {o.colour} {o.shape}" for o in ordered)


def questions(scene, rng):
    """(kind, prompt, answer) for each kind this scene can be asked; `colour` and `where` pick one object."""
    objects = scene.objects
    out = [("describe", "Describe the image.", caption(objects))]
    unique = [s for s in SHAPES if sum(o.shape == s for o in objects) == 1]
    if unique:
        shape = unique[int(rng.integers(len(unique)))]
        out.append(("colour", f"What colour is the {shape}?", next(o.colour for o in objects if o.shape == shape)))
    o = objects[int(rng.integers(len(objects)))]
    out.append(("where", f"Where is the {o.colour} {o.shape}?", position(o.cx, o.cy, scene.side)))
    out.append(("count", "How many shapes?", COUNTS[len(objects) - 1]))
    return out


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


def patch_labels(scene, grid=8):
    """[grid * grid, 2] row-major: the colour and shape (1-based; 0 background) of the object whose box holds each
    patch's centre (boxes never overlap)."""
    labels = np.zeros((grid * grid, 2), dtype=np.int64)
    for k in range(grid * grid):
        x, y = ((k % grid + 0.5) / grid * scene.side, (k // grid + 0.5) / grid * scene.side)
        for o in scene.objects:
            x0, y0, x1, y1 = o.bounds()
            if x0 <= x < x1 and y0 <= y < y1:
                labels[k] = (list(COLOURS).index(o.colour) + 1, SHAPES.index(o.shape) + 1)
    return labels


def vlm_batch(rng, scenes, image_tokens, per_scene=4):
    """(pixels [S,3,64,64], scene index [B], input ids [B,T], targets [B,T] (-100 off the answer), image start,
    patch labels [S,64,2]).

    Each scene is asked `per_scene` of the questions it allows (all, at 4), drawn at random, so one vision pass
    serves that many sequences."""
    drawn = [draw_scene(rng) for _ in range(scenes)]
    rows, owner = [], []
    for i, (scene, _) in enumerate(drawn):
        asked = questions(scene, rng)
        # All of them draw nothing more, so stages run before --questions existed reproduce.
        for j in rng.permutation(len(asked))[:per_scene] if per_scene < len(asked) else range(len(asked)):
            _, q, a = asked[j]
            rows.append(sequence(q, a, image_tokens))
            owner.append(i)
    length = max(len(ids) for ids, _, _ in rows) - 1
    inputs = torch.full((len(rows), length), PAD_ID, dtype=torch.int64)
    targets = torch.full((len(rows), length), -100, dtype=torch.int64)
    for r, (ids, start, _) in enumerate(rows):
        inputs[r, : len(ids) - 1] = torch.tensor(ids[:-1])
        targets[r, start - 1: len(ids) - 1] = torch.tensor(ids[start:])
    pixels = torch.from_numpy(np.stack([p for _, p in drawn]))
    labels = torch.from_numpy(np.stack([patch_labels(scene) for scene, _ in drawn]))
    return pixels, torch.tensor(owner), inputs, targets, rows[0][2], labels

