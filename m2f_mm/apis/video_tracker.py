"""Tracks of a whole video from a Mask2Former-VIS model: every frame at once
(the official mode), or window after window in bounded memory; results in
the YouTube-VIS result format and an overlay video in which a track keeps
one colour and one id."""
import json
import os
import os.path as osp
from dataclasses import dataclass
from typing import List, Optional, Sequence, Union

import cv2
import numpy as np
import torch
from mmcv.transforms import Compose
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.config import Config
from pycocotools import mask as mask_utils

from m2f_mm.models.postprocess import (link_queries, resize_masks,
                                       top_track_pairs)
from .inferencer import _fixed_palette, init_model
from .inputs import read_frames

#: transforms of the test pipeline that read files or annotations; the
#: tracker gives the frames as arrays
_SKIPPED = ('LoadImageFromFile', 'LoadTrackAnnotations', 'CheckFrameSize',
            'PackTrackInputs')


@dataclass
class VideoTracks:
    """The tracks of one video, best first."""

    #: (N,) track scores (class probability).
    scores: np.ndarray
    #: (N,) class indices.
    labels: np.ndarray
    #: N lists of T COCO RLE masks (one per frame, possibly empty).
    masks: List[List[dict]]

    def frame_masks(self, t: int) -> np.ndarray:
        """(N, H, W) bool masks of frame t."""
        return np.stack([mask_utils.decode(track[t]) for track in
                         self.masks]).astype(bool) if self.masks else None

    def to_youtube_vis(self, video_id: int) -> List[dict]:
        """Results in the YouTube-VIS format (category ids 1-based), an empty
        mask a frame becoming ``None``."""
        out = []
        for score, label, track in zip(self.scores, self.labels, self.masks):
            segmentations = [
                dict(size=r['size'], counts=r['counts'].decode()
                     if isinstance(r['counts'], bytes) else r['counts'])
                if mask_utils.area(r) else None for r in track]
            out.append(dict(video_id=video_id, score=float(score),
                            category_id=int(label) + 1,
                            segmentations=segmentations))
        return out


def _rle(masks: np.ndarray) -> List[dict]:
    """(N, H, W) bool -> N RLEs."""
    return mask_utils.encode(np.asfortranarray(
        masks.transpose(1, 2, 0).astype(np.uint8)))


class VideoTracker:
    """``VideoTracker(config, checkpoint).track(frames)``.

    Args:
        config: a video config (``M2FVideoSegmentor``).
        checkpoint: its weights (loaded weights-only, strictly).
        device: where the model runs.
    """

    def __init__(self, config: Union[str, Config],
                 checkpoint: Optional[str] = None,
                 device: str = 'cpu') -> None:
        self.model, self.cfg, saved_meta = init_model(config, checkpoint,
                                                      device)
        if type(self.model).__name__ != 'M2FVideoSegmentor':
            raise TypeError(f'{config}: not a video model '
                            f'({type(self.model).__name__}); use a config '
                            'of M2FVideoSegmentor')
        dataset = self.cfg.test_dataloader.dataset
        meta = saved_meta or dataset.get('metainfo') or {}
        num = self.model.num_classes
        self.classes = tuple(meta.get('classes') or
                             [f'class_{i}' for i in range(num)])[:num]
        self.pipeline = self._frame_pipeline()

    def _frame_pipeline(self) -> Compose:
        """The test pipeline's per-frame transforms, on arrays."""
        steps = []
        for step in self.cfg.test_dataloader.dataset.pipeline:
            inner = step.get('transforms', [step])
            for t in inner:
                if t['type'].split('.')[-1] in _SKIPPED:
                    continue
                t = dict(t)
                t.pop('_scope_', None)
                if '.' not in t['type']:
                    t['type'] = f'mmdet.{t["type"]}'
                steps.append(t)
        return Compose(steps)

    def _clip(self, frames: Sequence[np.ndarray], first: int):
        """(inputs (1, T, 3, H, W), TrackDataSample) of frames."""
        images, samples = [], []
        for t, frame in enumerate(frames):
            h, w = frame.shape[:2]
            data = self.pipeline(dict(img=frame, img_shape=(h, w),
                                      ori_shape=(h, w)))
            img = data['img']
            images.append(torch.from_numpy(
                np.ascontiguousarray(img.transpose(2, 0, 1))))
            samples.append(DetDataSample(metainfo=dict(
                img_shape=img.shape[:2], ori_shape=(h, w),
                frame_id=first + t, scale_factor=data.get('scale_factor'))))
        batch = self.model.data_preprocessor(
            dict(inputs=[torch.stack(images)],
                 data_samples=[TrackDataSample(video_data_samples=samples)]),
            False)
        return batch['inputs'], batch['data_samples'][0]

    @torch.no_grad()
    def track(self, frames: Sequence[np.ndarray], window: int = 0
              ) -> VideoTracks:
        """Tracks of a video's BGR frames.

        Args:
            frames: T (H, W, 3) BGR frames of one size.
            window: 0 (default): all frames in one forward, the official
                mode, which holds every frame's features. N > 0: windows of
                N frames, each window's queries linked to the previous
                window's by their embeddings (:func:`link_queries`), so that
                peak memory depends on N, not on T.

        Returns:
            the model's ``top_k`` tracks over the whole video.
        """
        window = window or len(frames)
        prob_sum, masks, previous, order = None, [], None, None
        for first in range(0, len(frames), window):
            chunk = frames[first:first + window]
            inputs, sample = self._clip(chunk, first)
            preds = self.model.head(self.model.extract_feat(inputs[0]),
                                    all_sets=False, num_frames=len(chunk))
            class_logits = preds.final_class_logits[0]  # (Q, K+1)
            tubes = preds.final_mask_logits[0]  # (Q, n, h, w)
            queries = preds.final_queries[0]  # (Q, C)
            if previous is not None:
                order = link_queries(previous, queries)
                class_logits, tubes, queries = (class_logits[order],
                                                tubes[order], queries[order])
            previous = queries
            probs = class_logits.softmax(-1)[:, :-1] * len(chunk)  # (Q, K)
            prob_sum = probs if prob_sum is None else prob_sum + probs
            meta = sample[0].metainfo
            for t in range(len(chunk)):  # every query's mask, a frame at a time
                resized = resize_masks(
                    tubes[:, t], meta['batch_input_shape'],
                    meta['img_shape'][:2], meta['ori_shape'][:2]) > 0
                masks.append(_rle(resized.cpu().numpy()))  # (Q,) RLEs
        scores, labels, slots = top_track_pairs(
            prob_sum / len(frames), self.model.num_things, self.model.top_k)
        slots = slots.tolist()
        return VideoTracks(
            scores=scores.cpu().numpy(), labels=labels.cpu().numpy(),
            masks=[[frame[q] for frame in masks] for q in slots])

    def __call__(self, video: Union[str, Sequence[np.ndarray]],
                 window: int = 0, out_dir: Optional[str] = None,
                 video_id: int = 1, fps: float = 10.) -> VideoTracks:
        """Track a video file, a folder of frames or a list of arrays; with
        ``out_dir``, write ``<name>_tracks.json`` (YouTube-VIS results) and
        ``<name>_overlay.mp4``."""
        if isinstance(video, str):
            name = osp.splitext(osp.basename(osp.normpath(video)))[0]
            frames = [f.image for f in read_frames(video)]
        else:
            name, frames = 'video', list(video)
        if not frames:
            raise ValueError(f'{video}: no frames')
        sizes = {f.shape[:2] for f in frames}
        if len(sizes) > 1:
            raise ValueError(f'{video}: frames of several sizes {sorted(sizes)}'
                             '; all frames of a video must have one size')
        tracks = self.track(frames, window)
        if out_dir is not None:
            os.makedirs(out_dir, exist_ok=True)
            with open(osp.join(out_dir, f'{name}_tracks.json'), 'w') as f:
                json.dump(tracks.to_youtube_vis(video_id), f)
            write_overlay(frames, tracks, self.classes,
                          osp.join(out_dir, f'{name}_overlay.mp4'), fps)
        return tracks


def draw_tracks(frame: np.ndarray, tracks: VideoTracks, t: int,
                classes: Sequence[str], score_thr: float = 0.3
                ) -> np.ndarray:
    """Frame t with each track's mask in its own colour (by track, the same
    in every frame) and ``id class`` at the mask's top-left."""
    out = frame.copy()
    palette = _fixed_palette(max(len(tracks.masks), 1))
    masks = tracks.frame_masks(t)
    for track, (score, label) in enumerate(zip(tracks.scores, tracks.labels)):
        if score < score_thr or not masks[track].any():
            continue
        colour = np.array(palette[track], dtype=np.float64)
        out[masks[track]] = (0.5 * out[masks[track]] + 0.5 * colour).astype(
            np.uint8)
        ys, xs = np.nonzero(masks[track])
        cv2.putText(out, f'{track} {classes[label]}',
                    (int(xs.min()), max(int(ys.min()) - 2, 8)),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.3, tuple(int(c) for c in
                                                        palette[track]), 1)
    return out


def write_overlay(frames: Sequence[np.ndarray], tracks: VideoTracks,
                  classes: Sequence[str], path: str, fps: float = 10.
                  ) -> str:
    """An mp4 of the frames with :func:`draw_tracks`."""
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                             (width, height))
    for t, frame in enumerate(frames):
        writer.write(draw_tracks(frame, tracks, t, classes))
    writer.release()
    return path
