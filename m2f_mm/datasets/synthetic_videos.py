"""Deterministic moving-shapes videos in the YouTube-VIS formats.

The shapes of the image scenes (``synthetic_shapes.py``: circle, square,
triangle, star, ring, told apart by shape, never by colour) move, turn and
grow or shrink over a textured background; they enter and leave the frame
and occlude each other (the later drawn in front). An object whose visible
part is smaller than ``MIN_AREA`` in a frame has annotation ``None`` there,
as YouTube-VIS marks absent objects; some videos have no object at all.

Written per split, under ``root``::

    videos/{split}/JPEGImages/{video:04d}/{frame:05d}.jpg
    annotations/ytvis_{split}.json      (YouTube-VIS: videos, per-video
                                         annotations with one RLE or None a
                                         frame, categories)
    annotations/ytvis_{split}_coco.json (the same as mmdet's
                                         youtubevis2coco.py writes it: what
                                         mmdet's video datasets read)
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np
from pycocotools import mask as mask_utils

from .synthetic_shapes import (MIN_AREA, MIN_CONTRAST, THING_CLASSES,
                               _textured, draw_shape, textured_background)

#: bumped when the videos change, so that old data is written again.
VIDEO_GENERATOR_VERSION = 1
#: share of videos with no object at all.
EMPTY_SHARE = 0.05


class MovingShape:
    """One object's path: its class, colour and texture, and its centre,
    diameter and angle at each frame (linear motion, constant turn and
    growth), present from ``start`` to ``end`` (exclusive)."""

    def __init__(self, rng, size: int, frames: int) -> None:
        self.kind = int(rng.integers(len(THING_CLASSES)))
        self.diameter = rng.uniform(12, 36)
        self.growth = rng.uniform(-0.02, 0.03)  # share of the size a frame
        self.angle = rng.uniform(0, 2 * np.pi)
        self.turn = rng.uniform(-0.15, 0.15)  # radians a frame
        self.centre = rng.uniform(0.15 * size, 0.85 * size, 2)
        self.velocity = rng.uniform(-3.0, 3.0, 2)
        # some enter late or leave early (besides leaving through the border)
        self.start = int(rng.integers(0, frames // 3 + 1)) \
            if rng.random() < 0.3 else 0
        self.end = frames - int(rng.integers(0, frames // 3 + 1)) \
            if rng.random() < 0.3 else frames
        self.colour = None  # drawn against the background at its start
        self.texture_seed = int(rng.integers(2**31))

    def mask_at(self, t: int, size: int) -> np.ndarray:
        """(size, size) bool mask of the whole shape at frame t (empty
        outside [start, end))."""
        if not self.start <= t < self.end:
            return np.zeros((size, size), bool)
        centre = self.centre + self.velocity * t
        diameter = self.diameter * (1 + self.growth) ** t
        return draw_shape(self.kind, centre, diameter, self.angle +
                          self.turn * t, size)


def make_video(seed: int, frames: int, size: int = 96, max_objects: int = 4
               ) -> Tuple[List[np.ndarray], List[Tuple[int, List[Optional[
                   np.ndarray]]]]]:
    """One video.

    Returns:
        frames: T (H, W, 3) uint8 BGR images; objects: [(thing class, T
        visible masks, None where the object shows fewer than ``MIN_AREA``
        pixels)], drawing order.
    """
    rng = np.random.default_rng(seed)
    _, background = textured_background(rng, size)
    count = 0 if rng.random() < EMPTY_SHARE else int(
        rng.integers(1, max_objects + 1))
    shapes = [MovingShape(rng, size, frames) for _ in range(count)]
    for shape in shapes:  # a colour that stands out where it starts
        first = shape.mask_at(shape.start, size)
        below = background[first].mean(0) if first.any() else \
            background.reshape(-1, 3).mean(0)
        for _try in range(20):
            shape.colour = rng.uniform(0, 255, 3)
            if np.linalg.norm(shape.colour - below) >= MIN_CONTRAST:
                break
    textures = [_textured(np.random.default_rng(s.texture_seed),
                          (size, size), s.colour, 30) for s in shapes]
    images, visible = [], [[] for _ in shapes]
    for t in range(frames):
        image = background.copy()
        owner = np.full((size, size), -1)
        for i, (shape, texture) in enumerate(zip(shapes, textures)):
            mask = shape.mask_at(t, size)
            image[mask] = texture[mask]
            owner[mask] = i
        for i in range(len(shapes)):
            mask = owner == i
            visible[i].append(mask if mask.sum() >= MIN_AREA else None)
        images.append(np.clip(image, 0, 255).astype(np.uint8))
    objects = [(s.kind, v) for s, v in zip(shapes, visible)
               if any(m is not None for m in v)]
    return images, objects


def _rle(mask: np.ndarray) -> dict:
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    rle['counts'] = rle['counts'].decode('ascii')
    return rle


def _bbox(mask: np.ndarray) -> List[float]:
    ys, xs = np.nonzero(mask)
    return [float(xs.min()), float(ys.min()), float(xs.max() - xs.min() + 1),
            float(ys.max() - ys.min() + 1)]


def write_video_split(root: str, split: str, num_videos: int, seed: int,
                      frames: Tuple[int, int] = (8, 16),
                      size: int = 96) -> None:
    """Generate one split: the frames and both JSON layouts.

    Args:
        frames: (min, max) frames a video (inclusive).
    """
    categories = [dict(id=i + 1, name=name, supercategory='shape')
                  for i, name in enumerate(THING_CLASSES)]
    videos, tracks = [], []
    coco = dict(categories=categories, videos=[], images=[], annotations=[])
    for index in range(num_videos):
        video_id = index + 1
        name = f'{video_id:04d}'
        rng = np.random.default_rng(seed * 7919 + index)
        length = int(rng.integers(frames[0], frames[1] + 1))
        images, objects = make_video(seed * 100003 + index, length, size)
        folder = osp.join(root, 'videos', split, 'JPEGImages', name)
        os.makedirs(folder, exist_ok=True)
        file_names = []
        for t, image in enumerate(images):
            file_names.append(f'{name}/{t:05d}.jpg')
            cv2.imwrite(osp.join(folder, f'{t:05d}.jpg'), image,
                        [cv2.IMWRITE_JPEG_QUALITY, 95])
        videos.append(dict(id=video_id, width=size, height=size,
                           length=length, file_names=file_names))
        coco['videos'].append(dict(id=video_id, name=name, width=size,
                                   height=size))
        first_image = len(coco['images']) + 1
        for t, file_name in enumerate(file_names):
            coco['images'].append(dict(
                id=first_image + t, file_name=file_name, height=size,
                width=size, frame_id=t, video_id=video_id))
        for kind, masks in objects:
            track_id = len(tracks) + 1
            tracks.append(dict(
                id=track_id, video_id=video_id, category_id=kind + 1,
                iscrowd=0, width=size, height=size, length=1,
                segmentations=[None if m is None else _rle(m) for m in masks],
                bboxes=[None if m is None else _bbox(m) for m in masks],
                areas=[None if m is None else int(m.sum()) for m in masks]))
            for t, mask in enumerate(masks):
                if mask is None:
                    continue
                coco['annotations'].append(dict(
                    id=len(coco['annotations']) + 1, video_id=video_id,
                    image_id=first_image + t, category_id=kind + 1,
                    instance_id=track_id, bbox=_bbox(mask),
                    segmentation=_rle(mask), area=int(mask.sum()),
                    iscrowd=0))
    ann_dir = osp.join(root, 'annotations')
    os.makedirs(ann_dir, exist_ok=True)
    with open(osp.join(ann_dir, f'ytvis_{split}.json'), 'w') as f:
        json.dump(dict(info=dict(description='m2f_mm moving shapes'),
                       videos=videos, annotations=tracks,
                       categories=categories), f)
    with open(osp.join(ann_dir, f'ytvis_{split}_coco.json'), 'w') as f:
        json.dump(coco, f)


def generate_videos(root: str, splits: Dict[str, int] = None,
                    frames: Tuple[int, int] = (8, 16), size: int = 96,
                    force: bool = False) -> bool:
    """Write the videos unless they are already complete; True if written."""
    splits = splits or dict(train=120, val=30)
    stamp = osp.join(root, f'.complete_videos_v{VIDEO_GENERATOR_VERSION}_'
                     f'{size}_{frames[0]}-{frames[1]}_' + '_'.join(
                         f'{k}{v}' for k, v in sorted(splits.items())))
    if osp.exists(stamp) and not force:
        return False
    for i, (split, num) in enumerate(sorted(splits.items())):
        write_video_split(root, split, num, seed=i + 11, frames=frames,
                          size=size)
    open(stamp, 'w').close()
    return True
