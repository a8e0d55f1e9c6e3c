"""Inference speed, post-processing included, of m2f_mm's Mask2Former and of
mmdet's with the same weights, measured in the same run.

    python tools/analysis/benchmark.py CONFIG [--images 5] [--shape H W]
        [--amp] [--device cpu|cuda]

Builds the config's (mmdet-side) model and mmdet's equivalent Mask2Former,
copies mmdet's random weights into ours, and times ``predict`` (the config's
test_cfg, with instance outputs switched on) on synthetic images of the
given shape (default 800 x 1216, a COCO test size). Before timing, the
largest difference between the two models' instance scores is printed (they
compute the same function). Prints images/s of each, the ratio and the
machine. ``--amp`` runs under autocast (bfloat16 on CPU,
float16 on CUDA). A checkpoint is not needed: speed does not depend on the
weights' values (the panoptic merge does a little; both see the same).
"""
import argparse
import copy
import os.path as osp
import sys

import torch
from mmengine.config import Config

import m2f_mm  # noqa: F401
from m2f_mm.converters import build_mmdet_twin
from m2f_mm.datasets.random_batch import random_panoptic_batch

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from benchmark_train_step import machine, timed  # noqa: E402  (same folder)


def score_gap(ours, ref, inputs, samples) -> float:
    """Largest difference between the two models' sorted instance scores."""
    scores = []
    for model in (ref, ours):
        model.eval()
        with torch.no_grad():
            out = model.predict(inputs, copy.deepcopy(samples))
        scores.append(torch.cat([s.pred_instances.scores.sort()[0]
                                 for s in out]))
    return (scores[0] - scores[1]).abs().max().item()


def images_per_second(model, inputs, samples, steps, amp, device):
    """Mean images/s of ``model.predict`` on one batch."""
    dtype = torch.float16 if device == 'cuda' else torch.bfloat16

    def run():
        with torch.no_grad(), torch.autocast(device, dtype=dtype,
                                             enabled=amp):
            model.predict(inputs, copy.deepcopy(samples))
        if device == 'cuda':
            torch.cuda.synchronize()
    return inputs.shape[0] / timed(run, steps, warmup=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--images', type=int, default=3,
                        help='timed predictions (after one warm-up)')
    parser.add_argument('--shape', type=int, nargs=2, default=[800, 1216])
    parser.add_argument('--amp', action='store_true')
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    if cfg.model.type != 'M2FDetector':
        sys.exit(f'{args.config}: benchmark.py compares mmdet-side '
                 '(M2FDetector) configs with mmdet\'s Mask2Former')
    cfg.model.backbone.init_cfg = None
    cfg.model.data_preprocessor.batch_augments = None  # timing at the shape
    cfg.model.test_cfg.instance_on = True  # the equality check reads it
    torch.manual_seed(0)
    ours, ref = build_mmdet_twin(cfg.model)
    inputs, samples = random_panoptic_batch(
        ref, sizes=(tuple(args.shape), ),
        num_things=cfg.model.num_things_classes)
    print(f'instance scores differ by '
          f'{score_gap(ours, ref, inputs, samples):.1e}')
    inputs = inputs.to(args.device)
    device = ('cuda: ' + torch.cuda.get_device_name()) \
        if args.device == 'cuda' else f'CPU {machine()}'
    print(f'machine: {device}; {"AMP" if args.amp else "fp32"}')
    speed = {}
    for name, model in (('mmdet', ref), ('m2f_mm', ours)):
        model.to(args.device).eval()
        speed[name] = images_per_second(model, inputs, samples, args.images,
                                        args.amp, args.device)
    h, w = args.shape
    print(f'{osp.basename(args.config)} predict at {h}x{w}: mmdet '
          f'{speed["mmdet"]:.3f} img/s, m2f_mm {speed["m2f_mm"]:.3f} img/s, '
          f'm2f_mm/mmdet = {speed["m2f_mm"] / speed["mmdet"]:.2f}x')


if __name__ == '__main__':
    main()
