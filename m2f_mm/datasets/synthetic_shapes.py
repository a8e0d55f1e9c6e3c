"""A deterministic synthetic scene dataset in the real COCO / ADE20K formats.

Thing classes are told apart by *shape* (circle, square, triangle, star,
ring), never by colour: every object gets a random colour and texture. They
are 8-40 px, overlap (later ones occlude earlier ones) and touch the border,
but each keeps most of its shape in view and stands out from the background.
Stuff classes (sky, grass, water) fill the background in textured regions
with irregular boundaries.

Written per split, under ``root``::

    images/{split}/{id:06d}.jpg
    annotations/panoptic_{split}.json + annotations/panoptic_{split}/*.png
    annotations/instances_{split}.json        (RLE masks)
    annotations/semantic_{split}/*.png        (class index, 255 = ignore)

so that mmdet's ``CocoPanopticDataset`` / ``CocoDataset`` and mmseg's
``BaseSegDataset`` read it unchanged.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Tuple

import cv2
import numpy as np
from pycocotools import mask as mask_utils

from m2f_mm.utils.panoptic_png import id2rgb

THING_CLASSES = ('circle', 'square', 'triangle', 'star', 'ring')
STUFF_CLASSES = ('sky', 'grass', 'water')
CLASSES = THING_CLASSES + STUFF_CLASSES
#: COCO category ids (1-based, as COCO's are).
CATEGORY_IDS = tuple(range(1, len(CLASSES) + 1))
#: a colour per class for visualisation.
PALETTE = [(220, 20, 60), (119, 11, 32), (0, 0, 142), (0, 60, 100),
           (250, 170, 30), (135, 206, 235), (34, 139, 34), (30, 60, 200)]
#: smallest visible area (pixels) an object must keep to be annotated.
MIN_AREA = 16
#: least share of its shape an object keeps visible (border and occlusion).
MIN_VISIBLE = 0.6
#: least colour distance (BGR, 0-255) between an object and the background
#: under it.
MIN_CONTRAST = 80.0
_PLACEMENT_TRIES = 20
#: bumped when the scenes change, so that old data is written again.
GENERATOR_VERSION = 2


def _smooth_noise(rng, shape, scale):
    """Low-frequency noise in [-1, 1]."""
    small = rng.uniform(-1, 1, (max(2, shape[0] // scale), max(2, shape[1] // scale)))
    return cv2.resize(small, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)


def _textured(rng, shape, base, spread):
    """An HxWx3 texture around colour ``base``."""
    noise = _smooth_noise(rng, shape, 8)[..., None] * spread
    grain = rng.normal(0, spread / 3, shape + (3, ))
    return np.clip(np.asarray(base)[None, None] + noise + grain, 0, 255)


def _stuff_layout(rng, size) -> np.ndarray:
    """(H, W) stuff class index (0 sky, 1 grass, 2 water) with wavy borders."""
    h = w = size
    yy, xx = np.mgrid[:h, :w]
    horizon = h * rng.uniform(0.25, 0.6) + _smooth_noise(rng, (1, w), 16)[0] * h * 0.12
    layout = np.where(yy < horizon[None, :], 0, 1)
    if rng.random() < 0.8:  # a body of water with an irregular shore
        cx, cy = rng.uniform(0, w), rng.uniform(h * 0.6, h * 1.1)
        radius = rng.uniform(0.25, 0.6) * w
        dist = np.hypot(xx - cx, (yy - cy) * 1.6)
        wobble = _smooth_noise(rng, (h, w), 12) * radius * 0.3
        layout = np.where((dist + wobble < radius) & (layout == 1), 2, layout)
    return layout


_STUFF_COLOURS = {
    0: lambda r: (r.uniform(140, 235), r.uniform(150, 210), r.uniform(60, 130)),  # sky (BGR)
    1: lambda r: (r.uniform(20, 80), r.uniform(110, 190), r.uniform(30, 90)),     # grass
    2: lambda r: (r.uniform(120, 200), r.uniform(70, 120), r.uniform(10, 60)),    # water
}


def draw_shape(kind: int, centre, size: float, angle: float,
               canvas: int) -> np.ndarray:
    """A (canvas, canvas) bool mask of one shape of class ``kind`` (0 circle,
    1 square, 2 triangle, 3 star, 4 ring) with diameter ``size`` centred at
    ``centre`` (x, y), turned by ``angle``; what lies outside is cut off."""
    mask = np.zeros((canvas, canvas), np.uint8)
    cx, cy = centre
    r = size / 2
    centre_px = (int(round(cx)), int(round(cy)))
    if kind == 0:  # circle
        cv2.circle(mask, centre_px, int(round(r)), 1, -1)
    elif kind in (1, 2, 3):
        if kind == 1:
            corners = 4
            radii = [r * 1.0] * 4
        elif kind == 2:
            corners = 3
            radii = [r * 1.1] * 3
        else:
            corners = 10
            radii = [r * 1.1 if i % 2 == 0 else r * 0.45 for i in range(10)]
        pts = [(cx + rad * np.cos(angle + 2 * np.pi * i / corners),
                cy + rad * np.sin(angle + 2 * np.pi * i / corners))
               for i, rad in enumerate(radii)]
        cv2.fillPoly(mask, [np.round(np.array(pts)).astype(np.int32)], 1)
    else:  # ring
        cv2.circle(mask, centre_px, int(round(r)), 1, -1)
        cv2.circle(mask, centre_px, int(round(r * 0.55)), 0, -1)
    return mask.astype(bool)


def textured_background(rng, size: int) -> Tuple[np.ndarray, np.ndarray]:
    """(stuff (H, W) index per pixel, image (H, W, 3) float BGR): sky, grass
    and water regions with wavy borders, each textured around a random
    colour of its kind."""
    stuff = _stuff_layout(rng, size)
    image = np.zeros((size, size, 3))
    for s, colour in _STUFF_COLOURS.items():
        tex = _textured(rng, (size, size), colour(rng), 25)
        image[stuff == s] = tex[stuff == s]
    return stuff, image


def _shape_mask(rng, kind, size, canvas, margin) -> np.ndarray:
    """A boolean mask of one shape of class ``kind`` with diameter ``size``
    at a random place and angle, on the canvas plus ``margin`` pixels on
    every side (so that the part cut off by the border is known)."""
    cx, cy = rng.uniform(-size * 0.3, canvas + size * 0.3, 2) + margin
    angle = rng.uniform(0, 2 * np.pi)
    return draw_shape(kind, (cx, cy), size, angle, canvas + 2 * margin)


def make_scene(seed: int, size: int = 128, max_objects: int = 7
               ) -> Tuple[np.ndarray, np.ndarray,
                          List[Tuple[int, np.ndarray, int]]]:
    """One scene.

    Objects overlap and are cut by the border, but each keeps at least
    ``MIN_VISIBLE`` of its shape in view (a placement that would hide more of
    itself or of an earlier object is drawn again, up to ``_PLACEMENT_TRIES``
    times, else the object is left out), and its colour is drawn again (up to
    ``_PLACEMENT_TRIES`` times) until it differs from the background under it
    by at least ``MIN_CONTRAST``: annotated things can be told by their shape.

    Returns:
        image (H, W, 3) uint8 BGR; stuff (H, W) stuff index per pixel;
        things: [(thing class, visible mask, area of the whole shape)],
        drawing order.
    """
    rng = np.random.default_rng(seed)
    stuff, image = textured_background(rng, size)
    owner = np.full((size, size), -1)
    kinds, full_areas = [], []
    margin = 40  # > 0.3 x the largest diameter + its largest radius (22)
    inside = (slice(margin, margin + size), ) * 2
    for _ in range(int(rng.integers(2, max_objects + 1))):
        # visible pixels of each earlier object
        visible = np.bincount(owner[owner >= 0], minlength=len(kinds))
        for _try in range(_PLACEMENT_TRIES):
            kind = int(rng.integers(len(THING_CLASSES)))
            full = _shape_mask(rng, kind, rng.uniform(8, 40), size, margin)
            mask = full[inside]
            full_area = full.sum()
            if mask.sum() < MIN_VISIBLE * full_area:
                continue  # mostly outside the image
            hidden = np.bincount(owner[mask & (owner >= 0)],
                                 minlength=len(kinds))
            if ((visible - hidden) < MIN_VISIBLE * np.array(full_areas)).any():
                continue  # would hide too much of an earlier object
            break
        else:
            continue
        below = image[mask].mean(0)
        for _try in range(_PLACEMENT_TRIES):
            colour = rng.uniform(0, 255, 3)
            if np.linalg.norm(colour - below) >= MIN_CONTRAST:
                break
        image[mask] = _textured(rng, (size, size), colour, 30)[mask]
        owner[mask] = len(kinds)
        kinds.append(kind)
        full_areas.append(full_area)
    things = [(k, owner == i, int(a))
              for i, (k, a) in enumerate(zip(kinds, full_areas))]
    things = [t for t in things if t[1].sum() >= MIN_AREA]
    return np.clip(image, 0, 255).astype(np.uint8), stuff, things


def _bbox(mask: np.ndarray) -> List[float]:
    ys, xs = np.nonzero(mask)
    return [float(xs.min()), float(ys.min()), float(xs.max() - xs.min() + 1),
            float(ys.max() - ys.min() + 1)]


def write_split(root: str, split: str, num_images: int, seed: int,
                size: int = 128) -> None:
    """Generate one split in all formats."""
    img_dir = osp.join(root, 'images', split)
    pan_dir = osp.join(root, 'annotations', f'panoptic_{split}')
    sem_dir = osp.join(root, 'annotations', f'semantic_{split}')
    for d in (img_dir, pan_dir, sem_dir):
        os.makedirs(d, exist_ok=True)
    categories = [dict(id=cid, name=name, supercategory='shape' if i < len(THING_CLASSES) else 'stuff',
                       isthing=int(i < len(THING_CLASSES)))
                  for i, (cid, name) in enumerate(zip(CATEGORY_IDS, CLASSES))]
    images, pan_anns, inst_anns = [], [], []
    for idx in range(num_images):
        image_id = idx + 1
        name = f'{image_id:06d}'
        image, stuff, things = make_scene(seed * 100003 + idx, size)
        cv2.imwrite(osp.join(img_dir, name + '.jpg'), image,
                    [cv2.IMWRITE_JPEG_QUALITY, 95])
        images.append(dict(id=image_id, file_name=name + '.jpg', height=size,
                           width=size))
        pan_ids = np.zeros((size, size), np.int64)
        semantic = np.full((size, size), 255, np.uint8)
        segments = []
        covered = np.zeros((size, size), bool)
        for kind, mask, _ in things:
            covered |= mask
        next_id = 1
        for s in range(len(STUFF_CLASSES)):
            mask = (stuff == s) & ~covered
            if mask.sum() < MIN_AREA:
                continue
            label = len(THING_CLASSES) + s
            segments.append((next_id, label, mask))
            next_id += 1
        for kind, mask, _ in things:
            segments.append((next_id, kind, mask))
            next_id += 1
        info = []
        for seg_id, label, mask in segments:
            pan_ids[mask] = seg_id
            semantic[mask] = label
            box = _bbox(mask)
            area = int(mask.sum())
            info.append(dict(id=seg_id, category_id=CATEGORY_IDS[label],
                             area=area, bbox=box, iscrowd=0))
            if label < len(THING_CLASSES):
                rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
                rle['counts'] = rle['counts'].decode('ascii')
                inst_anns.append(dict(id=len(inst_anns) + 1, image_id=image_id,
                                      category_id=CATEGORY_IDS[label],
                                      segmentation=rle, area=area, bbox=box,
                                      iscrowd=0))
        cv2.imwrite(osp.join(pan_dir, name + '.png'),
                    id2rgb(pan_ids)[..., ::-1])  # RGB on disk
        cv2.imwrite(osp.join(sem_dir, name + '.png'), semantic)
        pan_anns.append(dict(image_id=image_id, file_name=name + '.png',
                             segments_info=info))
    ann_dir = osp.join(root, 'annotations')
    with open(osp.join(ann_dir, f'panoptic_{split}.json'), 'w') as f:
        json.dump(dict(images=images, annotations=pan_anns,
                       categories=categories), f)
    with open(osp.join(ann_dir, f'instances_{split}.json'), 'w') as f:
        json.dump(dict(images=images, annotations=inst_anns,
                       categories=categories), f)


def generate(root: str, splits: Dict[str, int] = None, size: int = 128,
             force: bool = False) -> bool:
    """Write the dataset unless it is already complete; True if written."""
    splits = splits or dict(train=400, val=100)
    stamp = osp.join(root, f'.complete_v{GENERATOR_VERSION}_{size}_' + '_'.join(
        f'{k}{v}' for k, v in sorted(splits.items())))
    if osp.exists(stamp) and not force:
        return False
    for i, (split, num) in enumerate(sorted(splits.items())):
        write_split(root, split, num, seed=i + 1, size=size)
    open(stamp, 'w').close()
    return True
