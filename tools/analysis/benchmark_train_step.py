"""Training-step time and peak memory of m2f_mm's Mask2Former against
mmdet's, same architecture, same weights, same batch.

    python tools/analysis/benchmark_train_step.py [--config CFG] [--batch 8]
        [--size 128] [--instances 2] [--steps 3] [--rounds 2]
        [--device cpu|cuda] [--amp] [--lsj] [--stages] [--flops]
        [--cfg-options KEY=VALUE ...]

Defaults: the quickstart architecture on a batch of 8 synthetic 128 px
scenes, at that size (batch augmentations such as LSJ's padding to 1024 are
switched off). The R50 step of the speed issue:

    python tools/analysis/benchmark_train_step.py \\
        --config configs/m2f_r50_coco_panoptic.py --batch 2 --size 512 \\
        --instances 8 --steps 2

Before timing, both models' first losses are computed from the same random
state and their largest difference printed (the two compute the same
function). Each model is then timed in its own process (forward, backward,
AdamW), the two alternating for ``--rounds`` rounds, so that each process's
peak resident memory (Linux VmHWM, reset after the models are built) is its
model's alone. Prints medians, the ratios m2f_mm/mmdet and the machine.
On CUDA the peak is the allocator's (``torch.cuda.max_memory_allocated``).
``--amp`` trains under bfloat16 autocast; ``--lsj`` keeps the config's batch
augmentations (LSJ pads to 1024 x 1024). ``--stages`` also prints each
model's step split into forward (losses included), backward and optimizer,
and the step of its backbone alone (forward, backward, AdamW on the backbone's
parameters, the sum of squared features as loss): the share of the step that
both models run with the same mmdet backbone. ``--flops`` also counts the
floating-point operations of one step of each model (forward with losses and
backward, by ``torch.utils.flop_counter``: convolutions, matrix products and
attention; the deformable-attention sampling, normalisation and elementwise
work are not counted) and of its backbone alone, measures this machine's best
fp32 matrix-product rate, and prints the time the counted work alone would
take at that rate: a floor under any fp32 implementation that computes the
same products on this machine. ``--cfg-options`` changes our
config before both models are built from it, e.g. gradient checkpointing
(which mmdet's twin does not have, so only our peak changes):

    python tools/analysis/benchmark_train_step.py \
        --config configs/m2f_r50_coco_panoptic.py --batch 2 --size 512 \
        --instances 8 --steps 2 --cfg-options \
        model.head.pixel_decoder.with_cp=False \
        model.head.transformer_decoder.with_cp=True
"""
import argparse
import copy
import json
import statistics
import time

import torch
from mmengine.config import Config, DictAction

from m2f_mm.utils import register_all_modules
from m2f_mm.testing.benchmarking import (keep_one, machine,
                                         reset_peak_resident, resident_mib,
                                         run_worker, timed)
from m2f_mm.testing.mmdet_twin import build_mmdet_twin
from m2f_mm.testing.random_batch import random_panoptic_batch
from m2f_mm.utils.cli import config_file

NAMES = ('mmdet', 'm2f_mm')






def train_batch(model_cfg, ref, batch: int, size: int, instances: int = 2):
    """A random training batch whose labels fit the config's classes."""
    return random_panoptic_batch(ref, sizes=((size, size), ) * batch,
                                 training=True,
                                 num_things=model_cfg.num_things_classes,
                                 num_instances=instances)


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


def train_step_seconds(model, inputs, samples, steps: int,
                       amp: bool = False) -> float:
    """Seconds of one forward + backward + AdamW step."""
    model.train()
    optim = torch.optim.AdamW(model.parameters(), lr=1e-4)
    device = inputs.device.type

    def step():
        with torch.autocast(device, dtype=torch.bfloat16, enabled=amp):
            total = sum(model.loss(inputs, copy.deepcopy(samples)).values())
        optim.zero_grad()
        total.backward()
        optim.step()
        if device == 'cuda':
            torch.cuda.synchronize()
    return timed(step, steps)


def step_stage_seconds(model, inputs, samples, steps: int) -> dict:
    """Mean seconds of forward (with losses), backward and AdamW step of
    ``model``, and of a step of its backbone alone."""
    model.train()
    optim = torch.optim.AdamW(model.parameters(), lr=1e-4)
    seconds = dict(forward=0., backward=0., optimizer=0.)
    for i in range(steps + 1):  # the first is a warm-up
        start = time.perf_counter()
        total = sum(model.loss(inputs, copy.deepcopy(samples)).values())
        forward = time.perf_counter()
        optim.zero_grad()
        total.backward()
        backward = time.perf_counter()
        optim.step()
        if i:
            seconds['forward'] += (forward - start) / steps
            seconds['backward'] += (backward - forward) / steps
            seconds['optimizer'] += (time.perf_counter() - backward) / steps
    backbone = model.backbone
    backbone_optim = torch.optim.AdamW(backbone.parameters(), lr=1e-4)

    def backbone_step():
        feats = backbone(inputs)
        loss = sum(f.float().square().mean() for f in feats)
        backbone_optim.zero_grad()
        loss.backward()
        backbone_optim.step()
    seconds['backbone_alone'] = timed(backbone_step, steps)
    return seconds


def step_gflop(model, inputs, samples) -> dict:
    """GFLOP of one training step of ``model`` (forward with losses and
    backward) and of its backbone alone (forward and backward), as
    ``torch.utils.flop_counter`` counts them (convolutions, matrix products,
    attention)."""
    from torch.utils.flop_counter import FlopCounterMode
    model.train()
    counted = {}
    with FlopCounterMode(display=False) as counter:
        torch.manual_seed(0)
        sum(model.loss(inputs, copy.deepcopy(samples)).values()).backward()
    counted['step'] = counter.get_total_flops() / 1e9
    with FlopCounterMode(display=False) as counter:
        sum(f.float().square().mean()
            for f in model.backbone(inputs)).backward()
    counted['backbone'] = counter.get_total_flops() / 1e9
    model.zero_grad(set_to_none=True)
    return counted


def matmul_gflops(sizes=(512, 1024, 2048), rows: int = 4096,
                  repeats: int = 5) -> float:
    """This machine's best fp32 matrix-product rate, GFLOP/s: the fastest of
    ``repeats`` timings of (rows x size) @ (size x size) products for each
    size, with the current thread count. The best rate gives the lowest, most
    favourable floor."""
    best = 0.
    for size in sizes:
        a, b = torch.randn(rows, size), torch.randn(size, size)
        seconds = min(timed(lambda: a @ b, steps=3) for _ in range(repeats))
        best = max(best, 2 * rows * size * size / seconds / 1e9)
    return best






def build(args):
    torch.manual_seed(0)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.model.backbone.init_cfg = None  # no download; speed needs no weights
    if not args.lsj:
        cfg.model.data_preprocessor.batch_augments = None  # timing at --size
    ours, ref = build_mmdet_twin(cfg.model)
    if args.device != 'cpu':
        ours.to(args.device), ref.to(args.device)
    inputs, samples = train_batch(cfg.model, ref, args.batch, args.size,
                                  args.instances)
    return ours, ref, inputs, samples






def worker(args) -> None:
    """Time one model; print {seconds, peak_mib, base_mib} as JSON."""
    model, inputs, samples = keep_one(build(args), args.worker)
    if args.device == 'cuda':
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated() / 2**20
    else:
        reset_peak_resident()
        base = resident_mib('VmRSS')
    seconds = train_step_seconds(model, inputs, samples, args.steps, args.amp)
    peak = (torch.cuda.max_memory_allocated() / 2**20
            if args.device == 'cuda' else resident_mib('VmHWM'))
    stages = (step_stage_seconds(model, inputs, samples, args.steps)
              if args.stages else None)
    print(json.dumps(dict(seconds=seconds, peak_mib=peak, base_mib=base,
                          stages=stages)))


def main(argv=None):
    register_all_modules()  # safe checkpoints, m2f_mm:: names (utils/setup_env.py)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', type=config_file,
                        default='configs/quickstart/m2f_r18_shapes_panoptic.py')
    parser.add_argument('--steps', type=int, default=3)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--size', type=int, default=128)
    parser.add_argument('--instances', type=int, default=2,
                        help='thing instances per image (plus 2 stuff)')
    parser.add_argument('--rounds', type=int, default=2,
                        help='A/B rounds, each model in its own process')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--amp', action='store_true',
                        help='bfloat16 autocast')
    parser.add_argument('--lsj', action='store_true',
                        help="keep the config's batch augmentations")
    parser.add_argument('--stages', action='store_true',
                        help='also forward/backward/optimizer seconds and '
                        'the backbone alone')
    parser.add_argument('--flops', action='store_true',
                        help='also count each step\'s floating-point work '
                        'and the time it takes at this machine\'s '
                        'matrix-product rate')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config, xxx=yyy')
    parser.add_argument('--worker', choices=NAMES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    if args.flops and args.device != 'cpu':
        parser.error('--flops measures the CPU\'s matrix-product rate: '
                     'use it with --device cpu')
    where = (f'cuda: {torch.cuda.get_device_name()}'
             if args.device == 'cuda' else 'CPU')
    print(f'machine: {where}, {machine()}; '
          f'{"bf16 autocast" if args.amp else "fp32"}')
    ours, ref, inputs, samples = build(args)
    print(f'first losses differ by {first_loss_gap(ours, ref, inputs, samples):.1e}')
    flops = ({name: step_gflop(model, inputs, samples)
              for name, model in zip(NAMES, (ref, ours))}
             if args.flops else None)
    del ours, ref
    runs = {name: [] for name in NAMES}
    for r in range(args.rounds):
        for name in NAMES if r % 2 == 0 else NAMES[::-1]:
            runs[name].append(run_worker(name))
    med = {name: {key: statistics.median(run[key] for run in runs[name])
                  for key in ('seconds', 'peak_mib', 'base_mib')}
           for name in NAMES}
    a, b = med['mmdet'], med['m2f_mm']
    print(f'train step, batch {args.batch} x {args.size}px'
          f'{" (LSJ: padded to 1024)" if args.lsj else ""}, '
          f'{args.instances} instances + 2 stuff each, median of '
          f'{args.rounds} processes each:')
    for name, m in med.items():
        print(f'  {name:7s} {m["seconds"]:.3f} s/step, peak memory '
              f'{m["peak_mib"]:.0f} MiB (after build {m["base_mib"]:.0f})')
    print(f'  m2f_mm/mmdet: time {b["seconds"] / a["seconds"]:.2f}x, peak '
          f'memory {b["peak_mib"] / a["peak_mib"]:.2f}x, peak above the built '
          f'model {(b["peak_mib"] - b["base_mib"]) / (a["peak_mib"] - a["base_mib"]):.2f}x')
    if args.stages:
        print('  seconds of a step by stage (first process of each):')
        for name in NAMES:
            print(f'  {name:7s} ' + ', '.join(
                f'{key} {value:.3f}'
                for key, value in runs[name][0]['stages'].items()))
    if flops:
        rate = matmul_gflops()
        print(f'  counted GFLOP of a step (forward with losses + backward; '
              f'convolutions, matrix products, attention), and that work '
              f'alone at this machine\'s best fp32 matrix-product rate, '
              f'{rate:.0f} GFLOP/s:')
        for name, counted in flops.items():
            print(f'  {name:7s} step {counted["step"]:.1f} GFLOP '
                  f'(floor {counted["step"] / rate:.3f} s), of which the '
                  f'backbone {counted["backbone"]:.1f} GFLOP '
                  f'({counted["backbone"] / rate:.3f} s)')
        print(f'  half of mmdet\'s step: {a["seconds"] / 2:.3f} s; the floor '
              f'of ours: {flops["m2f_mm"]["step"] / rate:.3f} s')


if __name__ == '__main__':
    main()
