"""The shapes world of docs/shapes-world.md (the contract), in Python, for training the demo models.

Scenes are sampled and drawn exactly as the contract states; every size and threshold below is quoted from it.
Coordinates are continuous pixel units: pixel (i, j) covers [i, i+1) x [j, j+1), its centre is (i+0.5, j+0.5).
"""
from dataclasses import dataclass

import numpy as np

COLOURS = {
    "red": (220, 40, 40),
    "green": (40, 170, 70),
    "blue": (50, 90, 230),
    "yellow": (235, 200, 40),
    "purple": (150, 70, 190),
    "orange": (245, 140, 30),
}
SHAPES = ("circle", "square", "triangle", "cross")
KINDS = tuple((c, s) for c in COLOURS for s in SHAPES)
FUNCTION_WORDS = ("a", "an", "the", "and", "of", "left", "right", "above", "below", "on", "to", "top", "bottom")
VOCABULARY = FUNCTION_WORDS + tuple(COLOURS) + SHAPES

MIN_SIDE, MAX_SIDE = 64, 512
BOX_MIN, BOX_MAX = 0.22, 0.40
GAP = 0.04
NOISE = 12
COLOUR_JITTER = 20


@dataclass(frozen=True)
class SceneObject:
    """One flat-coloured shape; (cx, cy) is its box centre and `box` its box side, in pixels."""

    colour: str
    shape: str
    rgb: tuple
    cx: float
    cy: float
    box: float

    @property
    def kind(self):
        return (self.colour, self.shape)

    def bounds(self):
        """(x0, y0, x1, y1) of the object's box."""
        h = self.box / 2
        return (self.cx - h, self.cy - h, self.cx + h, self.cy + h)


@dataclass(frozen=True)
class Scene:
    """A scene layout: image side, background grey and the objects. Pixels come from `render`."""

    side: int
    background: tuple
    objects: tuple


def box_gap(a: SceneObject, b: SceneObject) -> float:
    """Distance between two boxes along the axis where they are furthest apart (negative when they overlap)."""
    ax0, ay0, ax1, ay1 = a.bounds()
    bx0, by0, bx1, by1 = b.bounds()
    return max(bx0 - ax1, ax0 - bx1, by0 - ay1, ay0 - by1)


def sample_side(rng: np.random.Generator) -> int:
    """Image side, log-uniform over the contract's 64..512 so small renderings (no downscaling) are common."""
    return int(round(np.exp(rng.uniform(np.log(MIN_SIDE), np.log(MAX_SIDE)))))


def sample_scene(rng: np.random.Generator, n_objects: int, side: int, kinds=None) -> Scene:
    """A random valid scene; `kinds` fixes the first (colour, shape) pairs, the rest are drawn distinct."""
    chosen = list(kinds or [])
    while len(chosen) < n_objects:
        k = KINDS[rng.integers(len(KINDS))]
        if k not in chosen:
            chosen.append(k)
    grey = int(rng.integers(200, 246))
    background = tuple(int(np.clip(grey + rng.integers(-3, 4), 200, 245)) for _ in range(3))
    for _ in range(1000):
        placed = []
        for colour, shape in chosen:
            obj = _place(rng, side, colour, shape, placed)
            if obj is None:
                break
            placed.append(obj)
        if len(placed) == n_objects:
            order = rng.permutation(n_objects)
            return Scene(side, background, tuple(placed[i] for i in order))
    raise RuntimeError(f"could not place {n_objects} objects in {side} px")


def _place(rng, side, colour, shape, placed):
    for _ in range(50):
        box = rng.uniform(BOX_MIN, BOX_MAX) * side
        cx = rng.uniform(box / 2, side - box / 2)
        cy = rng.uniform(box / 2, side - box / 2)
        nominal = COLOURS[colour]
        rgb = tuple(int(np.clip(v + rng.integers(-COLOUR_JITTER, COLOUR_JITTER + 1), 0, 255)) for v in nominal)
        obj = SceneObject(colour, shape, rgb, cx, cy, box)
        if all(box_gap(obj, other) >= GAP * side for other in placed):
            return obj
    return None


def inside(shape: str, dx: np.ndarray, dy: np.ndarray, s: float) -> np.ndarray:
    """Point-in-shape test for offsets (dx, dy) from the box centre, y growing downwards."""
    ax, ay = np.abs(dx), np.abs(dy)
    if shape == "circle":
        return dx * dx + dy * dy <= (s / 2) ** 2
    if shape == "square":
        return (ax <= 0.425 * s) & (ay <= 0.425 * s)
    if shape == "triangle":
        depth = dy + s / 2  # distance below the apex; the half-width grows by 1/2 per unit of depth
        return (depth >= 0) & (depth <= s) & (ax <= depth / 2)
    if shape == "cross":
        arm = 0.15 * s
        return ((ax <= arm) & (ay <= s / 2)) | ((ay <= arm) & (ax <= s / 2))
    raise ValueError(shape)


def render(scene: Scene, rng: np.random.Generator, antialias: bool) -> np.ndarray:
    """The scene's pixels, uint8 [side, side, 3]: noisy background, then each object blended by coverage.

    Anti-aliasing samples 4 x 4 points a pixel in small images; large ones are shrunk so much by the
    preprocessing that 2 x 2 (or hard edges) give the model the same pixels at a fraction of the cost."""
    n = scene.side
    img = rng.integers(-NOISE, NOISE + 1, size=(n, n, 3), dtype=np.int16)
    img += np.asarray(scene.background, dtype=np.int16)
    img = np.minimum(img, 255, out=img).astype(np.uint8)
    k = (4 if n <= 160 else 2 if n <= 320 else 1) if antialias else 1
    sub = (np.arange(k, dtype=np.float32) + 0.5) / k
    for o in scene.objects:
        x0, y0, x1, y1 = o.bounds()
        i0, j0 = max(0, int(np.floor(x0))), max(0, int(np.floor(y0)))
        i1, j1 = min(n, int(np.ceil(x1))), min(n, int(np.ceil(y1)))
        xs = (np.arange(i0, i1, dtype=np.float32)[:, None] + sub[None, :]).reshape(-1) - o.cx
        ys = (np.arange(j0, j1, dtype=np.float32)[:, None] + sub[None, :]).reshape(-1) - o.cy
        hit = inside(o.shape, xs[None, :], ys[:, None], o.box).astype(np.float32)
        cover = hit.reshape(j1 - j0, k, i1 - i0, k).mean(axis=(1, 3))[..., None] if k > 1 else hit[..., None]
        region = img[j0:j1, i0:i1].astype(np.float32)
        blended = region * (1 - cover) + np.asarray(o.rgb, dtype=np.float32) * cover
        img[j0:j1, i0:i1] = np.rint(blended).astype(np.uint8)
    return img
