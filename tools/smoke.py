"""Smoke run of the whole model on CPU: train a tiny Mask2Former for a few
steps on two synthetic scenes and predict all three tasks.

    python3 tools/smoke.py [--steps 40]

Placeholder for the quickstart (real synthetic dataset, Runner, metrics).
"""
import argparse
import time

import numpy as np
import torch
from mmdet.structures import DetDataSample
from mmdet.structures.mask import BitmapMasks
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData, PixelData

import m2f_mm  # noqa: F401
from m2f_mm.registry import MODELS

THINGS, STUFF = 2, 2  # square, disc; top, bottom


def scene(seed, size=64):
    """An image with a square and a disc on two stuff halves, and its targets."""
    rng = np.random.default_rng(seed)
    img = np.zeros((size, size, 3), np.uint8)
    sem = np.full((size, size), THINGS, np.int64)
    sem[size // 2:] = THINGS + 1
    img[:size // 2] = (200, 150, 90)
    img[size // 2:] = (60, 160, 60)
    yy, xx = np.mgrid[:size, :size]
    masks, labels = [], []
    for label in range(THINGS):
        cy, cx, r = rng.integers(12, size - 12, 2).tolist() + [int(rng.integers(6, 11))]
        m = (np.abs(yy - cy) <= r) & (np.abs(xx - cx) <= r) if label == 0 else \
            (yy - cy)**2 + (xx - cx)**2 <= r * r
        m &= ~np.any(masks, axis=0) if masks else True
        img[m] = rng.integers(0, 255, 3)
        sem[m] = label
        masks.append(m)
        labels.append(label)
    sample = DetDataSample(metainfo=dict(img_shape=(size, size),
                                         ori_shape=(size, size)))
    sample.gt_instances = InstanceData(
        labels=torch.tensor(labels), bboxes=torch.zeros(len(labels), 4),
        masks=BitmapMasks(np.stack(masks).astype(np.uint8), size, size))
    sample.gt_sem_seg = PixelData(sem_seg=torch.from_numpy(sem)[None])
    return torch.from_numpy(img).permute(2, 0, 1).contiguous(), sample


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--steps', type=int, default=40)
    args = parser.parse_args()
    torch.manual_seed(0)
    init_default_scope('m2f_mm')
    costs = [dict(type='ClassProbCost', weight=2.0),
             dict(type='PointBCECost', weight=5.0),
             dict(type='PointDiceCost', weight=5.0)]
    model = MODELS.build(dict(
        type='M2FDetector', num_things_classes=THINGS, num_stuff_classes=STUFF,
        backbone=dict(type='mmdet.ResNet', depth=18, out_indices=(0, 1, 2, 3),
                      norm_cfg=dict(type='BN', requires_grad=True)),
        data_preprocessor=dict(type='mmdet.DetDataPreprocessor',
                               mean=[123.675, 116.28, 103.53],
                               std=[58.395, 57.12, 57.375], bgr_to_rgb=False,
                               pad_size_divisor=32, pad_mask=True, pad_seg=True,
                               seg_pad_value=255),
        head=dict(type='M2FHead', in_channels=[64, 128, 256, 512],
                  num_queries=10, feat_channels=64, embed_dims=64, mask_dims=64,
                  pixel_decoder=dict(type='DeformablePixelDecoder',
                                     feedforward_dims=128),
                  transformer_decoder=dict(type='MaskedAttentionDecoder',
                                           feedforward_dims=128),
                  loss=dict(type='MaskSetLoss', num_points=1024,
                            assigner=dict(type='PointHungarianAssigner',
                                          num_points=1024, match_costs=costs))),
        test_cfg=dict(panoptic_on=True, instance_on=True, semantic_on=True,
                      object_mask_thr=0.5)))
    model.init_weights()
    images, samples = zip(*(scene(s) for s in range(2)))
    data = model.data_preprocessor(dict(inputs=list(images),
                                        data_samples=list(samples)), True)
    optim = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.05)
    model.train()
    start = time.time()
    for step in range(args.steps):
        total = sum(model.loss(data['inputs'], data['data_samples']).values())
        optim.zero_grad()
        total.backward()
        optim.step()
        if step % 10 == 0 or step == args.steps - 1:
            print(f'step {step:3d}  total loss {total.item():8.2f}  '
                  f'({time.time() - start:.1f} s)')
    model.eval()
    with torch.no_grad():
        out = model.predict(data['inputs'], data['data_samples'])
    for i, sample in enumerate(out):
        sem = sample.pred_sem_seg.sem_seg[0]
        gt = sample.gt_sem_seg.sem_seg[0]
        acc = (sem == gt).float().mean().item()
        print(f'image {i}: {sample.pred_instances.scores.gt(0.5).sum()} '
              f'instances above 0.5, panoptic segments '
              f'{sample.pred_panoptic_seg.sem_seg.unique().numel()}, '
              f'semantic pixel accuracy {acc:.2f}')


if __name__ == '__main__':
    main()
