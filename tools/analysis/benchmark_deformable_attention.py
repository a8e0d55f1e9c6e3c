"""Deformable attention's sampling paths on CPU, forward + backward: the
compiled op, the dense sampling-matrix path and mmcv's pure-PyTorch
(grid_sample) path, each as the module runs it (from the projections: the
softmax, the sampling locations and the sampling), at the token counts of
128 px to 384 px training inputs and of an 800 x 1216 image (forward only),
measured in the same run; the outputs are compared with grid_sample's first.

    python tools/analysis/benchmark_deformable_attention.py [--quick]

This is where ``choose_path`` in m2f_mm/models/layers/deformable_sampling.py
gets its choice. Measured on the 2-core x86_64 (AMD EPYC) CPU of the
development machine, torch 2.13, 4 heads x 32 dims (8 x 32 at 800 x 1216),
3 levels, 4 points, milliseconds (before the module split the op column timed
the unfused op, the locations and softmax outside it: 13 / 25 / 77 / 161):

    tokens (input)              grid_sample   dense    op
    batch 8,   336 (128 px)          58          25     13
    batch 4,  1344 (256 px)          84         176     25
    batch 2,  5376 (512 px)         226           -     77
    batch 1, 19950 (800x1216, fwd)  499           -    161

hence the op at every size where it is built; without it, the dense path
up to 512 values (DENSE_MAX_VALUES) and grid_sample above.
"""
import argparse

import torch

from m2f_mm.models.layers.deformable_sampling import (DENSE_MAX_VALUES,
                                                      SAMPLING_PATHS)
from m2f_mm.models.layers.deformable_sampling_cpu import load_op
from m2f_mm.models.layers.feature_levels import FeatureLevels
from m2f_mm.testing.benchmarking import machine, timed

DIMS, POINTS = 32, 4


def compare(batch: int, shapes, heads: int = 4, steps: int = 3,
            backward: bool = True):
    """{path: (seconds, largest output difference from grid_sample)} of one
    forward (+ backward) over the given level shapes, each path fed what the
    module feeds it: values, reference points, pixel offsets, logits."""
    levels = FeatureLevels.of(shapes, 'cpu')
    num_value = sum(h * w for h, w in shapes)
    value = torch.randn(batch, num_value, heads, DIMS, requires_grad=backward)
    reference = torch.rand(1, num_value, 1, 2)
    offsets = torch.randn(batch, num_value, heads, len(shapes), POINTS, 2,
                          requires_grad=backward)
    logits = torch.randn(batch, num_value, heads, len(shapes) * POINTS,
                         requires_grad=backward)
    grad = torch.randn(batch, num_value, heads * DIMS)
    names = ['grid_sample']
    if num_value <= 4 * DENSE_MAX_VALUES:
        names.append('dense')
    if load_op() is not None:
        names.append('cpu_op')
    with torch.set_grad_enabled(backward):
        expected = SAMPLING_PATHS['grid_sample'](value, levels, reference,
                                                 offsets, logits)
        results = {}
        for name in names:
            def path(name=name):
                return SAMPLING_PATHS[name](value, levels, reference, offsets,
                                            logits)
            gap = (path() - expected).abs().max().item()
            run = (lambda p=path: p().backward(grad)) if backward else path
            results[name] = (timed(run, steps), gap)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true',
                        help='the smallest case only, one step (a check)')
    args = parser.parse_args()
    if args.quick:
        report(1, [(8, 8), (4, 4), (2, 2)], 4, True, 'quick', steps=1)
        return
    print(f'machine: {machine()}; {DIMS} dims per head, 3 levels, '
          f'{POINTS} points')
    cases = [(8, 16, 4, True), (4, 32, 4, True), (2, 64, 4, True)]
    for batch, side, heads, backward in cases:
        shapes = [(side, side), (side // 2, side // 2), (side // 4, side // 4)]
        report(batch, shapes, heads, backward, f'~{side * 8} px')
    report(1, [(100, 152), (50, 76), (25, 38)], 8, False, '800x1216')


def report(batch, shapes, heads, backward, label, steps=3):
    results = compare(batch, shapes, heads, steps, backward=backward)
    tokens = sum(h * w for h, w in shapes)
    cells = ', '.join(f'{name} {seconds * 1e3:6.1f} ms (gap {gap:.0e})'
                      for name, (seconds, gap) in results.items())
    print(f'batch {batch}, {tokens:5d} tokens ({label}, '
          f'{"forward+backward" if backward else "forward"}): {cells}')


if __name__ == '__main__':
    main()
