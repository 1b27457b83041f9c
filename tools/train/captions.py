"""Captions of the shapes world: the contract's four forms, when each holds, and its hard negatives.

A caption is a tuple: ("object", a), ("pair", a, b), ("position", a, side) or ("relation", a, rel, b), where
a and b are (colour, shape) kinds, side is left/right/top/bottom and rel is "left of" or "above".
"""
from shapes_world import SHAPES, Scene

SIDES = ("left", "right", "top", "bottom")
RELATIONS = ("left of", "above")
RELATION_GAP = 0.15


def text(c) -> str:
    """The caption in the contract's wording."""
    np_ = lambda k: f"a {k[0]} {k[1]}"  # noqa: E731
    if c[0] == "object":
        return np_(c[1])
    if c[0] == "pair":
        return f"{np_(c[1])} and {np_(c[2])}"
    if c[0] == "position":
        return f"{np_(c[1])} on the {c[2]}"
    return f"{np_(c[1])} {c[2]} {np_(c[3])}"


def find(scene: Scene, kind):
    """The scene's object of that kind, or None (kinds are unique within a scene)."""
    return next((o for o in scene.objects if o.kind == kind), None)


def in_outer_third(scene: Scene, o, side: str) -> bool:
    n = scene.side
    return {
        "left": 3 * o.cx < n,
        "right": 3 * o.cx > 2 * n,
        "top": 3 * o.cy < n,
        "bottom": 3 * o.cy > 2 * n,
    }[side]


def holds(c, scene: Scene) -> bool:
    """Whether the caption matches the scene: every object it names is present and its spatial claim holds."""
    a = find(scene, c[1])
    if a is None:
        return False
    if c[0] == "object":
        return True
    if c[0] == "pair":
        return find(scene, c[2]) is not None
    if c[0] == "position":
        return in_outer_third(scene, a, c[2]) and not any(
            o is not a and in_outer_third(scene, o, c[2]) for o in scene.objects
        )
    b = find(scene, c[3])
    if b is None or a is b:
        return False
    gap = RELATION_GAP * scene.side
    return (b.cx - a.cx >= gap) if c[2] == "left of" else (b.cy - a.cy >= gap)


def matching(scene: Scene) -> dict:
    """Every matching caption of the scene, by form."""
    objs = scene.objects
    out = {"object": [("object", o.kind) for o in objs]}
    out["pair"] = [("pair", a.kind, b.kind) for a in objs for b in objs if a is not b]
    out["position"] = [("position", o.kind, s) for o in objs for s in SIDES if holds(("position", o.kind, s), scene)]
    out["relation"] = [
        ("relation", a.kind, r, b.kind)
        for a in objs
        for b in objs
        for r in RELATIONS
        if a is not b and holds(("relation", a.kind, r, b.kind), scene)
    ]
    return out


def hard_negatives(c, scene: Scene, rng) -> list:
    """(kind, caption) pairs one small change away from matching caption c that do not match the scene:
    colours swapped between its two objects, one shape swapped, relation reversed, position moved."""
    out = []
    if c[0] in ("pair", "relation") and c[1][0] != c[-1][0]:
        a, b = c[1], c[-1]
        out.append(("colour swap", c[:1] + ((b[0], a[1]),) + c[2:-1] + ((a[0], b[1]),)))
    slot = 1 if c[0] in ("object", "position") or rng.random() < 0.5 else len(c) - 1
    colour = c[slot][0]
    absent = [s for s in SHAPES if find(scene, (colour, s)) is None]
    if absent:
        swapped = list(c)
        swapped[slot] = (colour, absent[rng.integers(len(absent))])
        out.append(("shape swap", tuple(swapped)))
    if c[0] == "relation":
        out.append(("relation reversed", ("relation", c[3], c[2], c[1])))
    if c[0] == "position":
        wrong = [s for s in SIDES if not holds(("position", c[1], s), scene)]
        if wrong:
            out.append(("position wrong", ("position", c[1], wrong[rng.integers(len(wrong))])))
    return [(k, n) for k, n in out if not holds(n, scene)]
