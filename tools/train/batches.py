"""Training batches drawn fresh from the shapes world every step (no fixed data set, so nothing to overfit).

Each scene is drawn at a random side in 64..512 px, hard-edged or anti-aliased, and sent through the same
preprocessing the extension applies, so the models do not depend on one rendering size.
"""
import numpy as np
import torch

import captions as C
from preprocess import preprocess
from shapes_world import render, sample_scene, sample_side
from tokens import encode, pad

# How often each caption form is drawn for the contrastive model, when the scene allows it.
CLIP_FORMS = (("object", 0.7), ("pair", 0.15), ("position", 0.15))


def draw_scene(rng, n_objects=None):
    """A scene of 1-3 objects (uniform) and its preprocessed pixels."""
    n = int(rng.integers(1, 4)) if n_objects is None else n_objects
    scene = sample_scene(rng, n, sample_side(rng))
    return scene, preprocess(render(scene, rng, antialias=bool(rng.random() < 0.5)))


def pick(rng, items):
    return items[int(rng.integers(len(items)))]


def clip_caption(rng, scene):
    """One matching caption, by CLIP_FORMS, falling back to a one-object caption."""
    options = C.matching(scene)
    r, acc = rng.random(), 0.0
    for form, p in CLIP_FORMS:
        acc += p
        if r < acc and options[form]:
            return pick(rng, options[form])
    return pick(rng, options["object"])


def ids_tensor(texts, length=None):
    """Token ids [N, length] (default: the longest), padded after the end token."""
    ids = [encode(t) for t in texts]
    length = length or max(len(i) for i in ids)
    return torch.tensor([pad(i, length) for i in ids], dtype=torch.int64)


def token_tensor(captions, length=None):
    return ids_tensor([C.text(c) for c in captions], length)


def clip_batch(rng, size):
    """(pixels [B,3,S,S], input_ids [B,T], match [B,B] (scene i matches caption j), dense columns [B])."""
    scenes, pixels = zip(*(draw_scene(rng) for _ in range(size)))
    caps = [clip_caption(rng, s) for s in scenes]
    match = torch.tensor([[C.holds(c, s) for c in caps] for s in scenes], dtype=torch.float32)
    # The patch-level loss only makes sense for captions that name one object.
    one_object = torch.tensor([c[0] in ("object", "position") for c in caps])
    return torch.from_numpy(np.stack(pixels)), token_tensor(caps), match, one_object


class Stream(torch.utils.data.IterableDataset):
    """Endless batches from `make(rng, size)`, seeded per worker so a run is reproducible."""

    def __init__(self, make, size, seed):
        super().__init__()
        self.make, self.size, self.seed = make, size, seed

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        rng = np.random.default_rng([self.seed, info.id if info else 0])
        while True:
            yield self.make(rng, self.size)


def loader(make, size, seed):
    """A one-worker loader, so drawing scenes overlaps with the training step."""
    return iter(torch.utils.data.DataLoader(Stream(make, size, seed), batch_size=None, num_workers=1,
                                            prefetch_factor=4, persistent_workers=True))

