"""Deformable attention forward+backward on CPU: our dense sampling-matrix
path against mmcv's pure-PyTorch path (what mmdet's Mask2Former runs on CPU),
at the token counts of 128 px to 384 px inputs, measured in the same run.

    python tools/analysis/benchmark_deformable_attention.py

Sets where the dense path pays off (DENSE_MAX_VALUES in
m2f_mm/models/layers/deformable_attention.py).
"""
import platform

import torch
from mmcv.ops.multi_scale_deform_attn import multi_scale_deformable_attn_pytorch

from benchmark_train_step import timed  # same folder
from m2f_mm.models.layers.deformable_attention import deformable_sampling_dense


def main():
    print(f'machine: {platform.machine()}, {torch.get_num_threads()} threads, '
          f'torch {torch.__version__}; 4 heads x 32 dims, 3 levels, 4 points')
    for batch, side in ((8, 16), (4, 24), (4, 32), (2, 48)):
        heads, dims, points = 4, 32, 4
        shapes = [(side, side), (side // 2, side // 2), (side // 4, side // 4)]
        num_value = sum(h * w for h, w in shapes)
        value = torch.randn(batch, num_value, heads, dims, requires_grad=True)
        loc = torch.rand(batch, num_value, heads, 3, points, 2, requires_grad=True)
        weights = torch.rand(batch, num_value, heads, 3, points, requires_grad=True)
        grad = torch.randn(batch, num_value, heads * dims)
        mmcv_s = timed(lambda: multi_scale_deformable_attn_pytorch(
            value, torch.tensor(shapes), loc, weights).backward(grad), 3)
        dense_s = timed(lambda: deformable_sampling_dense(
            value, shapes, loc, weights).backward(grad), 3)
        print(f'batch {batch}, {num_value:5d} tokens (input ~{side * 8} px): '
              f'mmcv {mmcv_s * 1e3:6.1f} ms, dense {dense_s * 1e3:6.1f} ms, '
              f'mmcv/dense = {mmcv_s / dense_s:.2f}x')


if __name__ == '__main__':
    main()
