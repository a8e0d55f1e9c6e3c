"""Inference speed, post-processing included, of m2f_mm's Mask2Former and of
mmdet's with the same weights, measured in the same run.

    python tools/analysis/benchmark.py CONFIG [--images 3] [--shape H W]
        [--amp] [--device cpu|cuda] [--stages] [--memory] [--semantic]

Builds the config's (mmdet-side) model and mmdet's equivalent Mask2Former,
copies mmdet's random weights into ours, and times ``predict`` (the config's
test_cfg, with instance outputs switched on) on synthetic images of the
given shape (default 800 x 1216, a COCO test size). Before timing, the
largest difference between the two models' instance scores is printed (they
compute the same function). Prints images/s of each, the ratio and the
machine. ``--amp`` runs under bfloat16 autocast.
A checkpoint is not needed: speed does not depend on the
weights' values (the panoptic merge does a little; both see the same).

``--stages`` also prints, for one more predict of each model, the seconds
spent in the backbone, the pixel decoder, the rest of the head (transformer
decoder and predictions) and the rest (post-processing), by forward hooks.

``--memory`` measures instead the peak resident memory (CPU) of one
``predict`` per model, each model in its own process (Linux VmHWM, reset
after the models are built), e.g. at Cityscapes/Mapillary scale:

    python tools/analysis/benchmark.py configs/m2f_r50_cityscapes_panoptic.py \
        --shape 2048 4096 --memory --semantic

``--semantic`` adds m2f_mm's semantic output to its panoptic and instance
outputs (mmdet's Mask2Former has no semantic post-processing, so mmdet's
side runs panoptic and instance only).
"""
import argparse
import copy
import dataclasses
import json
import os.path as osp
import sys
import time

import torch
from mmengine.config import Config

from m2f_mm.utils import register_all_modules
from m2f_mm.testing.benchmarking import (keep_one, machine,
                                         reset_peak_resident, resident_mib,
                                         run_worker, timed)
from m2f_mm.testing.mmdet_twin import build_mmdet_twin
from m2f_mm.testing.random_batch import random_panoptic_batch
from m2f_mm.utils.cli import config_file



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
    def run():
        with torch.no_grad(), torch.autocast(device, dtype=torch.bfloat16,
                                             enabled=amp):
            model.predict(inputs, copy.deepcopy(samples))
        if device == 'cuda':
            torch.cuda.synchronize()
    return inputs.shape[0] / timed(run, steps, warmup=1)


def stage_seconds(model, inputs, samples, device) -> dict:
    """Seconds of one predict by stage (forward hooks on the backbone, the
    pixel decoder and the head; post-processing is what remains)."""
    head = getattr(model, 'head', None) or model.panoptic_head
    parts = dict(backbone=model.backbone, pixel_decoder=head.pixel_decoder,
                 head=head)
    seconds = dict.fromkeys(parts, 0.)

    def sync():
        if device == 'cuda':
            torch.cuda.synchronize()

    handles = []
    for name, module in parts.items():
        def start(*_, name=name):
            sync()
            seconds[name] -= time.perf_counter()

        def stop(*_, name=name):
            sync()
            seconds[name] += time.perf_counter()
        handles += [module.register_forward_pre_hook(start),
                    module.register_forward_hook(stop)]
    try:
        with torch.no_grad():
            sync()
            total = -time.perf_counter()
            model.predict(inputs, copy.deepcopy(samples))
            sync()
            total += time.perf_counter()
    finally:
        for handle in handles:
            handle.remove()
    return dict(backbone=seconds['backbone'],
                pixel_decoder=seconds['pixel_decoder'],
                rest_of_head=seconds['head'] - seconds['pixel_decoder'],
                post_processing=total - seconds['backbone'] - seconds['head'],
                total=total)


def build(args):
    """(ours, mmdet's, inputs, samples) for the config at ``--shape``."""
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
    return ours, ref, inputs, samples


def memory_worker(args) -> None:
    """One predict of one model; print its peak RSS (MiB) as JSON."""
    model, inputs, samples = keep_one(build(args), args.worker)
    model.eval()
    options = {}  # mmdet's predict takes no infer_cfg
    if args.worker == 'm2f_mm' and args.semantic:
        options['infer_cfg'] = dataclasses.replace(model.infer_cfg,
                                                   semantic_on=True)
    reset_peak_resident()
    base = resident_mib('VmRSS')
    with torch.no_grad():
        model.predict(inputs, samples, **options)
    print(json.dumps(dict(peak_mib=resident_mib('VmHWM'), base_mib=base)))


def memory(args) -> None:
    peaks = {name: run_worker(name) for name in ('mmdet', 'm2f_mm')}
    h, w = args.shape
    tasks = 'panoptic + instance' + (' (+ semantic for m2f_mm)'
                                     if args.semantic else '')
    print(f'machine: CPU {machine()}')
    print(f'{osp.basename(args.config)} predict at {h}x{w}, {tasks}, peak RSS:')
    for name, peak in peaks.items():
        print(f'  {name:7s} {peak["peak_mib"]:.0f} MiB (model and input '
              f'{peak["base_mib"]:.0f} MiB)')
    a, b = peaks['mmdet'], peaks['m2f_mm']
    print(f'  m2f_mm/mmdet = {b["peak_mib"] / a["peak_mib"]:.2f}x (above '
          f'model and input: {(b["peak_mib"] - b["base_mib"]) / (a["peak_mib"] - a["base_mib"]):.2f}x)')


def main(argv=None):
    register_all_modules()  # safe checkpoints, m2f_mm:: names (utils/setup_env.py)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', type=config_file)
    parser.add_argument('--images', type=int, default=3,
                        help='timed predictions (after one warm-up)')
    parser.add_argument('--shape', type=int, nargs=2, default=[800, 1216])
    parser.add_argument('--amp', action='store_true')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--stages', action='store_true',
                        help='also the seconds of each stage of predict')
    parser.add_argument('--memory', action='store_true',
                        help='peak resident memory instead of speed (CPU)')
    parser.add_argument('--semantic', action='store_true',
                        help='with --memory: m2f_mm also predicts semantic')
    parser.add_argument('--worker', choices=('mmdet', 'm2f_mm'),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return memory_worker(args)
    if args.memory:
        return memory(args)
    ours, ref, inputs, samples = build(args)
    ours.to(args.device), ref.to(args.device)
    inputs = inputs.to(args.device)
    print(f'instance scores differ by '
          f'{score_gap(ours, ref, inputs, samples):.1e}')
    device = ('cuda: ' + torch.cuda.get_device_name()) \
        if args.device == 'cuda' else f'CPU {machine()}'
    print(f'machine: {device}; {"AMP" if args.amp else "fp32"}')
    speed = {}
    for name, model in (('mmdet', ref), ('m2f_mm', ours)):
        model.eval()
        speed[name] = images_per_second(model, inputs, samples, args.images,
                                        args.amp, args.device)
    h, w = args.shape
    print(f'{osp.basename(args.config)} predict at {h}x{w}: mmdet '
          f'{speed["mmdet"]:.3f} img/s, m2f_mm {speed["m2f_mm"]:.3f} img/s, '
          f'm2f_mm/mmdet time = {speed["mmdet"] / speed["m2f_mm"]:.2f}x')
    if args.stages:
        for name, model in (('mmdet', ref), ('m2f_mm', ours)):
            stages = stage_seconds(model, inputs, samples, args.device)
            print(f'  {name:7s} seconds: ' + ', '.join(
                f'{key} {value:.2f}' for key, value in stages.items()))


if __name__ == '__main__':
    main()
