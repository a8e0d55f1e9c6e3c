"""Train a model with mmengine's Runner (mmdet's tools/train.py, for m2f_mm).

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--cfg-options k=v ...] [--launcher {none,pytorch,slurm}]
"""
import argparse

from mmengine.runner import Runner

import m2f_mm  # noqa: F401  (safe checkpoints, registries)
from m2f_mm.utils.cli import (add_common_args, load_config, resolve_resume,
                              setup_cpu_distributed)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train an m2f_mm model')
    parser.add_argument('config', help='config file')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume from CKPT, or from the latest checkpoint '
                        'in the work dir when CKPT is omitted')
    parser.add_argument('--amp', action='store_true',
                        help='automatic mixed precision')
    add_common_args(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args)
    setup_cpu_distributed(cfg)
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'
    if args.resume is not None:
        resolve_resume(cfg, args.resume)
    Runner.from_cfg(cfg).train()


if __name__ == '__main__':
    main()
