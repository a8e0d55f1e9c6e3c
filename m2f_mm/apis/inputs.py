"""What the inferencer reads: images, folders of images, videos or arrays,
each as named BGR frames."""
import os
import os.path as osp
from collections import Counter
from typing import Iterator, List, NamedTuple, Optional, Tuple, Union

import cv2
import mmcv
import numpy as np

IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
VIDEO_EXTS = ('.mp4', '.avi', '.mov', '.mkv', '.webm')


class Frame(NamedTuple):
    """One image to predict, or why it could not be read."""

    #: output name: the file's stem (``stem_png`` when two inputs share a
    #: stem), ``stem_000007`` for video frames, ``array_i`` for arrays.
    name: str
    #: (H, W, 3) BGR, or None when unreadable.
    image: Optional[np.ndarray]
    #: what was wrong, naming the file; None when read.
    error: Optional[str] = None
    #: for a video frame, the video's name (its frames share it).
    video: Optional[str] = None


def is_video(inputs) -> bool:
    """True when ``inputs`` names a video file."""
    return isinstance(inputs, str) and inputs.lower().endswith(VIDEO_EXTS)


def _sources(inputs) -> List[Union[str, np.ndarray]]:
    """Paths of images and videos (folders listed) and arrays, in order.

    Raises:
        FileNotFoundError: a path that does not exist, or a folder without
            images.
    """
    if isinstance(inputs, np.ndarray):
        return [inputs]
    if isinstance(inputs, (list, tuple)):
        return [source for item in inputs for source in _sources(item)]
    path = str(inputs)
    if osp.isdir(path):
        names = sorted(n for n in os.listdir(path)
                       if n.lower().endswith(IMAGE_EXTS))
        if not names:
            raise FileNotFoundError(f'{path}: no images in this folder')
        return [osp.join(path, name) for name in names]
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such image, folder or video')
    return [path]


def _names(sources) -> List[str]:
    """A distinct output name per source: the stem, or stem_ext where two
    files share a stem (``a.jpg`` and ``a.png`` -> ``a_jpg``, ``a_png``)."""
    stems = [osp.splitext(osp.basename(s))[0] if isinstance(s, str) else None
             for s in sources]
    shared = Counter(stems)
    names = []
    for i, (source, stem) in enumerate(zip(sources, stems)):
        if stem is None:
            names.append(f'array_{i}')
        elif shared[stem] > 1:
            names.append(f'{stem}_{osp.splitext(source)[1].lstrip(".")}')
        else:
            names.append(stem)
    if len(set(names)) < len(names):  # same file name in two folders
        names = [f'{name}_{i}' for i, name in enumerate(names)]
    return names


def read_frames(inputs, skip_bad: bool = False) -> Iterator[Frame]:
    """Frames of an image, a folder, a video, an array or a list of them.

    Args:
        inputs: what to read.
        skip_bad: yield an unreadable file as a frame with ``error`` set and
            go on; otherwise raise.

    Raises:
        FileNotFoundError: a path that does not exist, or a folder without
            images (before anything is read).
        ValueError: a file that is not a readable image or video, unless
            ``skip_bad``.
    """
    sources = _sources(inputs)
    for source, name in zip(sources, _names(sources)):
        if not isinstance(source, str):
            yield Frame(name, source)
            continue
        try:
            if is_video(source):
                yield from (Frame(frame_name, frame, video=name)
                            for frame_name, frame in _video_frames(source, name))
            else:
                image = mmcv.imread(source)
                if image is None:
                    raise ValueError(f'{source}: not a readable image')
                yield Frame(name, image)
        except ValueError as err:
            if not skip_bad:
                raise
            yield Frame(name, None, str(err))


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
