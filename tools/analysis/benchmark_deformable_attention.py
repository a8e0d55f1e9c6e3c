"""Deformable attention's sampling on CPU, forward + backward: the compiled
op, the dense sampling-matrix path and mmcv's pure-PyTorch (grid_sample)
path, at the token counts of 128 px to 384 px training inputs and of an
800 x 1216 image (forward only), measured in the same run; the outputs are
compared with mmcv's first.

    python tools/analysis/benchmark_deformable_attention.py

This is where the path choice of ``sample_levels`` in
m2f_mm/models/layers/deformable_attention.py comes from. Measured on the
2-core x86_64 (AMD EPYC) CPU of the development machine, torch 2.13, 4 heads
x 32 dims (8 x 32 at 800 x 1216), 3 levels, 4 points, milliseconds (the op
here is the unfused one; the module's fused op also computes the locations
and the softmax):

    tokens (input)              grid_sample   dense    op
    batch 8,   336 (128 px)          58          25     13
    batch 4,  1344 (256 px)          84         176     25
    batch 2,  5376 (512 px)         226           -     77
    batch 1, 19950 (800x1216, fwd)  499           -    161

hence the op at every size where it is built; without it, the dense path
up to 512 values (DENSE_MAX_VALUES) and grid_sample above.
"""
import os.path as osp
import sys

import torch
from mmcv.ops.multi_scale_deform_attn import multi_scale_deformable_attn_pytorch

from m2f_mm.models.layers.deformable_attention import (
    DENSE_MAX_VALUES, FeatureLevels, deformable_sampling_dense)
from m2f_mm.models.layers.deformable_sampling_cpu import (
    deformable_sampling_cpu, load_op)

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from benchmark_train_step import machine, timed  # noqa: E402  (same folder)

DIMS, POINTS = 32, 4


def compare(batch: int, shapes, heads: int = 4, steps: int = 3,
            backward: bool = True):
    """{path: (seconds, largest output difference from grid_sample)} of one
    forward (+ backward) over the given level shapes."""
    levels = FeatureLevels.of(shapes, 'cpu')
    num_value = sum(h * w for h, w in shapes)
    value = torch.randn(batch, num_value, heads, DIMS, requires_grad=backward)
    loc = torch.rand(batch, num_value, heads, len(shapes), POINTS, 2,
                     requires_grad=backward)
    weights = torch.rand(batch, num_value, heads, len(shapes), POINTS,
                         requires_grad=backward)
    grad = torch.randn(batch, num_value, heads * DIMS)
    paths = {'grid_sample': lambda: multi_scale_deformable_attn_pytorch(
        value, levels.spatial_shapes, loc, weights)}
    if num_value <= 4 * DENSE_MAX_VALUES:
        paths['dense'] = lambda: deformable_sampling_dense(
            value, levels.shapes, loc, weights)
    if load_op() is not None:
        paths['op'] = lambda: deformable_sampling_cpu(
            value, levels.spatial_shapes, levels.level_start_index, loc,
            weights)
    with torch.set_grad_enabled(backward):
        expected = paths['grid_sample']()
        results = {}
        for name, path in paths.items():
            gap = (path() - expected).abs().max().item()
            run = (lambda p=path: p().backward(grad)) if backward else path
            results[name] = (timed(run, steps), gap)
    return results


def main():
    print(f'machine: {machine()}; {DIMS} dims per head, 3 levels, '
          f'{POINTS} points')
    cases = [(8, 16, 4, True), (4, 32, 4, True), (2, 64, 4, True)]
    for batch, side, heads, backward in cases:
        shapes = [(side, side), (side // 2, side // 2), (side // 4, side // 4)]
        report(batch, shapes, heads, backward, f'~{side * 8} px')
    report(1, [(100, 152), (50, 76), (25, 38)], 8, False, '800x1216')


def report(batch, shapes, heads, backward, label):
    results = compare(batch, shapes, heads, backward=backward)
    tokens = sum(h * w for h, w in shapes)
    cells = ', '.join(f'{name} {seconds * 1e3:6.1f} ms (gap {gap:.0e})'
                      for name, (seconds, gap) in results.items())
    print(f'batch {batch}, {tokens:5d} tokens ({label}, '
          f'{"forward+backward" if backward else "forward"}): {cells}')


if __name__ == '__main__':
    main()
