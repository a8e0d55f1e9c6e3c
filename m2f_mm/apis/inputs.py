"""What the inferencer reads: images, folders of images, videos or arrays,
each as named BGR frames."""
import os
import os.path as osp
from typing import Iterator, Tuple

import cv2
import mmcv
import numpy as np

IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
VIDEO_EXTS = ('.mp4', '.avi', '.mov', '.mkv', '.webm')


def is_video(inputs) -> bool:
    """True when ``inputs`` names a video file."""
    return isinstance(inputs, str) and inputs.lower().endswith(VIDEO_EXTS)


def read_frames(inputs) -> Iterator[Tuple[str, np.ndarray]]:
    """(name, BGR image) of an image, a folder, a video, an array or a list
    of them; names are file stems, ``stem_000007`` for video frames and
    ``array_i`` for arrays.

    Raises:
        FileNotFoundError: a path that does not exist, or a folder without
            images.
        ValueError: a file that is not a readable image or video.
    """
    if isinstance(inputs, np.ndarray):
        yield 'array_0', inputs
        return
    if isinstance(inputs, (list, tuple)):
        for i, item in enumerate(inputs):
            for name, frame in read_frames(item):
                yield (f'array_{i}' if name.startswith('array') else name), frame
        return
    path = str(inputs)
    if osp.isdir(path):
        names = sorted(n for n in os.listdir(path)
                       if n.lower().endswith(IMAGE_EXTS))
        if not names:
            raise FileNotFoundError(f'{path}: no images in this folder')
        for name in names:
            yield from read_frames(osp.join(path, name))
        return
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such image, folder or video')
    stem = osp.splitext(osp.basename(path))[0]
    if is_video(path):
        yield from _video_frames(path, stem)
        return
    image = mmcv.imread(path)
    if image is None:
        raise ValueError(f'{path}: not a readable image')
    yield stem, image


def _video_frames(path: str, stem: str) -> Iterator[Tuple[str, np.ndarray]]:
    video = cv2.VideoCapture(path)
    if not video.isOpened():
        raise ValueError(f'{path}: cannot be read as a video')
    index = 0
    while True:
        ok, frame = video.read()
        if not ok:
            break
        yield f'{stem}_{index:06d}', frame
        index += 1
    video.release()
    if index == 0:
        raise ValueError(f'{path}: a video without frames')
