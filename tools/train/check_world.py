"""Checks the training generator against the contract (docs/shapes-world.md) on many random scenes.

Each rule is re-derived here from the contract's numbers, not from the generator's constants, so a wrong
constant in shapes_world.py fails. Run: /usr/bin/python3 tools/train/check_world.py
"""
import numpy as np

import captions as C
from shapes_world import render, sample_scene, sample_side

NOMINAL = {"red": (220, 40, 40), "green": (40, 170, 70), "blue": (50, 90, 230), "yellow": (235, 200, 40),
           "purple": (150, 70, 190), "orange": (245, 140, 30)}


def check_scene(scene, pixels):
    n = scene.side
    assert 64 <= n <= 512 and pixels.shape == (n, n, 3)
    assert all(200 <= c <= 245 for c in scene.background)
    assert 1 <= len(scene.objects) <= 3
    assert len({o.kind for o in scene.objects}) == len(scene.objects), "two objects share colour and shape"
    for o in scene.objects:
        assert 0.22 * n <= o.box <= 0.40 * n
        assert min(o.cx, o.cy, n - o.cx, n - o.cy) >= o.box / 2, "object not wholly inside"
        assert all(abs(a - b) <= 20 for a, b in zip(o.rgb, NOMINAL[o.colour]))
        # The box centre is inside every shape; with hard edges its pixel is exactly the object's colour.
        assert tuple(pixels[int(o.cy), int(o.cx)]) == o.rgb, (o, pixels[int(o.cy), int(o.cx)])
    for i, a in enumerate(scene.objects):
        for b in scene.objects[i + 1:]:
            ax0, ay0, ax1, ay1 = a.bounds()
            bx0, by0, bx1, by1 = b.bounds()
            assert max(bx0 - ax1, ax0 - bx1, by0 - ay1, ay0 - by1) >= 0.04 * n, "boxes closer than 4%"
    outside = np.ones((n, n), dtype=bool)
    for o in scene.objects:
        x0, y0, x1, y1 = o.bounds()
        outside[max(0, int(y0) - 1):int(np.ceil(y1)) + 1, max(0, int(x0) - 1):int(np.ceil(x1)) + 1] = False
    deviation = np.abs(pixels[outside].astype(int) - np.asarray(scene.background))
    assert deviation.max() <= 12, "background noise beyond 12"


def check_captions(scene, rng):
    for form, caps in C.matching(scene).items():
        for c in caps:
            words = C.text(c).split()
            assert C.holds(c, scene) and words[0] == "a"
            for kind, neg in C.hard_negatives(c, scene, rng):
                assert not C.holds(neg, scene), (kind, C.text(neg))
            if form == "relation":
                a, b = C.find(scene, c[1]), C.find(scene, c[3])
                axis = (b.cx - a.cx) if c[2] == "left of" else (b.cy - a.cy)
                assert axis >= 0.15 * scene.side


def main():
    rng = np.random.default_rng(5)
    for i in range(1500):
        scene = sample_scene(rng, 1 + i % 3, sample_side(rng))
        check_scene(scene, render(scene, rng, antialias=False))
        check_captions(scene, rng)
    # Position captions: "on the left" needs the centre in the left third and no other object there.
    probe = sample_scene(np.random.default_rng(0), 1, 300)
    o = probe.objects[0]
    assert C.holds(("position", o.kind, "left"), probe) == (o.cx < 100)
    print("shapes world generator: 1500 scenes follow the contract")


if __name__ == "__main__":
    main()
