"""The image preprocessing the models see at inference (HF CLIPImageProcessor steps), used in training too.

Shortest edge to IMAGE_SIZE with PIL bicubic (resample 3), centre crop, rescale by 1/255, normalise.
"""
import numpy as np
from PIL import Image

IMAGE_SIZE = 64
# Measured on the training distribution (rounded), so normalised pixels are roughly zero-mean, unit-variance.
MEAN = (0.8, 0.77, 0.74)
STD = (0.2, 0.22, 0.26)


def preprocess(pixels: np.ndarray, size: int = IMAGE_SIZE) -> np.ndarray:
    """uint8 [H, W, 3] -> float32 [3, size, size], as the extension's preprocessing produces it."""
    img = Image.fromarray(pixels)
    w, h = img.size
    scale = size / min(w, h)
    rw, rh = max(size, round(w * scale)), max(size, round(h * scale))
    if (rw, rh) != (w, h):
        img = img.resize((rw, rh), Image.BICUBIC)
    left, top = (rw - size) // 2, (rh - size) // 2
    img = img.crop((left, top, left + size, top + size))
    x = np.asarray(img, dtype=np.float32) / 255.0
    x = (x - np.asarray(MEAN, dtype=np.float32)) / np.asarray(STD, dtype=np.float32)
    return x.transpose(2, 0, 1).copy()


def box_patches(bounds, side: int, grid: int, size: int = IMAGE_SIZE) -> list:
    """Row-major indices of the patches of a grid x grid patch grid that overlap a box given in the pixels of a
    square scene of side `side` (after preprocessing, which only rescales a square image)."""
    cell, scale = size / grid, size / side
    x0, y0, x1, y1 = (v * scale for v in bounds)
    return [r * grid + c for r in range(grid) for c in range(grid)
            if c * cell < x1 and (c + 1) * cell > x0 and r * cell < y1 and (r + 1) * cell > y0]


def preprocessor_config() -> dict:
    """preprocessor_config.json in CLIPImageProcessor's spelling."""
    return {
        "do_resize": True,
        "size": {"shortest_edge": IMAGE_SIZE},
        "resample": 3,
        "do_center_crop": True,
        "crop_size": {"height": IMAGE_SIZE, "width": IMAGE_SIZE},
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "do_normalize": True,
        "image_mean": list(MEAN),
        "image_std": list(STD),
        "do_convert_rgb": True,
        "image_processor_type": "CLIPImageProcessor",
    }
