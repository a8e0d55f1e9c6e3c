"""Random images with random panoptic targets, preprocessed by a model's
data preprocessor: inputs for the oracle tests and the benchmarks."""
from typing import Optional, Sequence, Tuple

import numpy as np
import torch
from mmdet.structures import DetDataSample
from mmdet.structures.mask import BitmapMasks
from mmengine.structures import InstanceData, PixelData


def random_panoptic_batch(model, sizes: Sequence[Tuple[int, int]] = (
        (64, 96), (96, 64)), seed: int = 0, training: bool = False,
        empty_image: Optional[int] = None, num_things: int = 3,
        num_instances: int = 2):
    """Preprocess a batch of random images with random panoptic targets.

    Each image gets ``num_instances`` thing instances (rectangles, labels
    below ``num_things``) and stuff classes ``num_things`` and
    ``num_things + 1`` filling the rest by halves; ``empty_image`` (an
    index) gets no targets.

    Returns:
        (inputs, data_samples) as the model's data preprocessor gives them.
    """
    gen = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for i, (h, w) in enumerate(sizes):
        inputs.append(torch.randint(0, 256, (3, h, w), generator=gen,
                                    dtype=torch.uint8))
        sem = torch.full((h, w), 255, dtype=torch.long)
        masks, labels = [], []
        if i != empty_image:
            sem[:h // 2] = num_things
            sem[h // 2:] = num_things + 1
            for k in range(num_instances):
                y0 = int(torch.randint(0, h // 2, (1, ), generator=gen))
                x0 = int(torch.randint(0, w // 2, (1, ), generator=gen))
                m = np.zeros((h, w), dtype=np.uint8)
                m[y0:y0 + h // 3, x0:x0 + w // 3] = 1
                label = int(torch.randint(0, num_things, (1, ), generator=gen))
                sem[torch.from_numpy(m).bool()] = label
                masks.append(m)
                labels.append(label)
        s = DetDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w),
                                        scale_factor=(1., 1.)))
        s.gt_instances = InstanceData(
            labels=torch.tensor(labels, dtype=torch.long),
            masks=BitmapMasks(np.stack(masks) if masks else
                              np.zeros((0, h, w), np.uint8), h, w),
            bboxes=torch.zeros(len(labels), 4))
        s.gt_sem_seg = PixelData(sem_seg=sem[None])
        samples.append(s)
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=samples),
                                   training)
    return data['inputs'], data['data_samples']


def random_video_batch(model, num_frames: int = 2,
                       sizes: Sequence[Tuple[int, int]] = ((64, 96), ),
                       seed: int = 0, training: bool = False,
                       num_things: int = 3, num_instances: int = 3):
    """Preprocess a batch of random clips with random moving rectangles.

    Each clip of ``num_frames`` frames gets ``num_instances`` instances
    (ids 1..n, labels below ``num_things``) that move by a few pixels a
    frame; instance 2 is absent from the first frame (YouTube-VIS's ``None``
    annotation), so some tubes are empty in some frames.

    Returns:
        (inputs (B, T, 3, H, W), TrackDataSamples) as the model's
        ``TrackDataPreprocessor`` gives them.
    """
    from mmdet.structures import TrackDataSample
    gen = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for h, w in sizes:
        inputs.append(torch.randint(0, 256, (num_frames, 3, h, w),
                                    generator=gen, dtype=torch.uint8))
        starts = [(int(torch.randint(0, h // 2, (1, ), generator=gen)),
                   int(torch.randint(0, w // 2, (1, ), generator=gen)),
                   int(torch.randint(0, num_things, (1, ), generator=gen)))
                  for _ in range(num_instances)]
        frames = []
        for t in range(num_frames):
            masks, labels, ids = [], [], []
            for k, (y0, x0, label) in enumerate(starts):
                if k == 1 and t == 0:
                    continue  # enters in the second frame
                m = np.zeros((h, w), dtype=np.uint8)
                y, x = min(y0 + 2 * t, h - h // 3), min(x0 + 3 * t, w - w // 3)
                m[y:y + h // 3, x:x + w // 3] = 1
                masks.append(m)
                labels.append(label)
                ids.append(k + 1)
            frame = DetDataSample(metainfo=dict(
                img_shape=(h, w), ori_shape=(h, w), scale_factor=(1., 1.),
                frame_id=t, img_path=f'clip/{t:05d}.jpg'))
            frame.gt_instances = InstanceData(
                labels=torch.tensor(labels, dtype=torch.long),
                masks=BitmapMasks(np.stack(masks) if masks else
                                  np.zeros((0, h, w), np.uint8), h, w),
                bboxes=torch.zeros(len(labels), 4),
                instances_ids=torch.tensor(ids, dtype=torch.long))
            frames.append(frame)
        samples.append(TrackDataSample(video_data_samples=frames))
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=samples),
                                   training)
    return data['inputs'], data['data_samples']
