"""Deformable attention forward+backward on CPU: our dense sampling-matrix
path against mmcv's pure-PyTorch (grid_sample) path, at the token counts of
128 px to 384 px inputs, measured in the same run; the two outputs are
compared first.

    python tools/analysis/benchmark_deformable_attention.py

This is where the crossover constants of the sampling-path choice come from
(``DENSE_MAX_VALUES`` and ``DENSE_MAX_ELEMENTS`` in
m2f_mm/models/layers/deformable_attention.py). Measured on the 2-core x86_64
CPU of the development machine, torch 2.13, 4 heads x 32 dims, 3 levels,
4 points (mmcv / dense time, > 1: dense faster):

    batch 8,   336 tokens (128 px): 2.1x
    batch 4,   756 tokens (192 px): 0.85x
    batch 4,  1344 tokens (256 px): 0.6x

hence the dense path up to 512 values.
"""
import os.path as osp
import sys

import torch
from mmcv.ops.multi_scale_deform_attn import multi_scale_deformable_attn_pytorch

from m2f_mm.models.layers.deformable_attention import deformable_sampling_dense

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from benchmark_train_step import machine, timed  # noqa: E402  (same folder)

HEADS, DIMS, POINTS = 4, 32, 4


def compare(batch: int, side: int, steps: int = 3):
    """(mmcv seconds, dense seconds, largest output difference) of one
    forward + backward over levels side, side/2, side/4."""
    shapes = [(side, side), (side // 2, side // 2), (side // 4, side // 4)]
    num_value = sum(h * w for h, w in shapes)
    value = torch.randn(batch, num_value, HEADS, DIMS, requires_grad=True)
    loc = torch.rand(batch, num_value, HEADS, 3, POINTS, 2, requires_grad=True)
    weights = torch.rand(batch, num_value, HEADS, 3, POINTS,
                         requires_grad=True)
    grad = torch.randn(batch, num_value, HEADS * DIMS)

    def mmcv_path():
        return multi_scale_deformable_attn_pytorch(
            value, torch.tensor(shapes), loc, weights)

    def dense_path():
        return deformable_sampling_dense(value, shapes, loc, weights)

    gap = (mmcv_path() - dense_path()).abs().max().item()
    mmcv_s = timed(lambda: mmcv_path().backward(grad), steps)
    dense_s = timed(lambda: dense_path().backward(grad), steps)
    return mmcv_s, dense_s, gap


def main():
    print(f'machine: {machine()}; {HEADS} heads x {DIMS} dims, 3 levels, '
          f'{POINTS} points')
    for batch, side in ((8, 16), (4, 24), (4, 32), (2, 48)):
        mmcv_s, dense_s, gap = compare(batch, side)
        num_value = side * side * 21 // 16
        print(f'batch {batch}, {num_value:5d} tokens (input ~{side * 8} px): '
              f'mmcv {mmcv_s * 1e3:6.1f} ms, dense {dense_s * 1e3:6.1f} ms, '
              f'mmcv/dense = {mmcv_s / dense_s:.2f}x (outputs differ by '
              f'{gap:.1e})')


if __name__ == '__main__':
    main()
