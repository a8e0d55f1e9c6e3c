"""Training-step and inference time of m2f_mm's Mask2Former against mmdet's,
same architecture, same weights, same batch, measured in the same run.

    python tools/analysis/benchmark_train_step.py [--config CFG] [--steps 5]
        [--batch 8] [--size 128] [--infer-size 800 1216]

Defaults: the quickstart architecture on a batch of 8 synthetic 128 px scenes
(training), and one 800x1216 image through the R50 COCO panoptic model
(inference). Before timing, both models' first losses are computed from the
same random state and their largest difference printed (the two compute the
same function). Prints seconds per step and the ratio mmdet/ours.
"""
import argparse
import copy
import platform
import time

import torch
from mmengine.config import Config

import m2f_mm  # noqa: F401
from m2f_mm.converters import build_mmdet_twin
from m2f_mm.datasets.random_batch import random_panoptic_batch

R50_CONFIG = 'configs/m2f_r50_coco_panoptic.py'


def timed(fn, steps, warmup=1):
    """Mean seconds of ``fn()`` over ``steps`` calls after ``warmup``."""
    for _ in range(warmup):
        fn()
    start = time.perf_counter()
    for _ in range(steps):
        fn()
    return (time.perf_counter() - start) / steps


def machine() -> str:
    return (f'{platform.processor() or platform.machine()}, '
            f'{torch.get_num_threads()} threads, torch {torch.__version__}')


def train_batch(model_cfg, ref, batch: int, size: int):
    """A random training batch whose labels fit the config's classes."""
    return random_panoptic_batch(ref, sizes=((size, size), ) * batch,
                                 training=True,
                                 num_things=model_cfg.num_things_classes)


def first_loss_gap(ours, ref, inputs, samples) -> float:
    """Largest difference between the two models' losses on one batch,
    each computed from the same random state (point sampling)."""
    totals = []
    for model in (ref, ours):
        model.train()
        torch.manual_seed(0)
        with torch.no_grad():
            losses = model.loss(inputs, copy.deepcopy(samples))
        totals.append(sum(v for k, v in losses.items() if 'loss' in k))
    return (totals[0] - totals[1]).abs().item()


def train_step_seconds(model, inputs, samples, steps: int) -> float:
    """Seconds of one forward + backward + AdamW step."""
    model.train()
    optim = torch.optim.AdamW(model.parameters(), lr=1e-4)

    def step():
        total = sum(model.loss(inputs, copy.deepcopy(samples)).values())
        optim.zero_grad()
        total.backward()
        optim.step()
    return timed(step, steps)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config',
                        default='configs/quickstart/m2f_r18_shapes_panoptic.py')
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--size', type=int, default=128)
    parser.add_argument('--infer-size', type=int, nargs=2, default=None,
                        help='also time R50 inference at this H W')
    args = parser.parse_args()
    torch.manual_seed(0)
    cfg = Config.fromfile(args.config)
    print(f'machine: {machine()}')
    ours, ref = build_mmdet_twin(cfg.model)
    inputs, samples = train_batch(cfg.model, ref, args.batch, args.size)
    print(f'first losses differ by {first_loss_gap(ours, ref, inputs, samples):.1e}')
    times = {name: train_step_seconds(model, inputs, samples, args.steps)
             for name, model in (('mmdet', ref), ('m2f_mm', ours))}
    print(f'train step, batch {args.batch} x {args.size}px: mmdet '
          f'{times["mmdet"]:.3f} s, m2f_mm {times["m2f_mm"]:.3f} s, '
          f'mmdet/m2f_mm = {times["mmdet"] / times["m2f_mm"]:.2f}x')
    if args.infer_size:
        r50 = Config.fromfile(R50_CONFIG).model
        r50.backbone.init_cfg = None
        r50.data_preprocessor.batch_augments = None
        ours, ref = build_mmdet_twin(r50)
        h, w = args.infer_size
        inputs, samples = random_panoptic_batch(ref, sizes=((h, w), ))
        for name, model in (('mmdet', ref), ('m2f_mm', ours)):
            model.eval()
            with torch.no_grad():
                times[name] = timed(
                    lambda: model.predict(inputs, copy.deepcopy(samples)), 2, 1)
        print(f'R50 predict, 1 x {h}x{w}: mmdet {times["mmdet"]:.2f} s, m2f_mm '
              f'{times["m2f_mm"]:.2f} s, mmdet/m2f_mm = '
              f'{times["mmdet"] / times["m2f_mm"]:.2f}x')


if __name__ == '__main__':
    main()
