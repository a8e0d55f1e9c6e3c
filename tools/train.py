"""Train a model with mmengine's Runner (mmdet's tools/train.py, for m2f_mm).

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--auto-scale-lr] [--cfg-options k=v ...] [--launcher {none,pytorch,slurm}]

--auto-scale-lr scales the learning rate by the real batch (processes x
batch per process) over the config's ``auto_scale_lr.base_batch_size`` (the
paper's 16; the quickstart's 4), as mmdet's and mmseg's ``--auto-scale-lr``.
"""
import argparse

import torch
from mmengine.runner import Runner

from m2f_mm.engine.rank_watch_hook import train_watched
from m2f_mm.utils import register_all_modules
from m2f_mm.utils.cli import (add_common_args, config_file, existing_file,
                              load_config, resolve_resume,
                              setup_cpu_distributed)


def resume_value(value: str) -> str:
    """argparse type of --resume's optional path: an existing file."""
    return value if value == 'auto' else existing_file(value)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train an m2f_mm model')
    parser.add_argument('config', type=config_file, help='config file')
    parser.add_argument('--resume', nargs='?', type=resume_value, const='auto',
                        help='resume from CKPT, or from the latest checkpoint '
                        'in the work dir when CKPT is omitted')
    parser.add_argument('--amp', action='store_true',
                        help='automatic mixed precision')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the learning rate by the real batch over '
                        "the config's auto_scale_lr.base_batch_size")
    add_common_args(parser)
    return parser.parse_args(argv)


def main(argv=None):
    register_all_modules()  # safe checkpoints, m2f_mm:: names (utils/setup_env.py)
    args = parse_args(argv)
    cfg = load_config(args)
    setup_cpu_distributed(cfg)
    if args.amp and torch.cuda.is_available():
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'
    elif args.amp:  # mmengine's AmpOptimWrapper is for accelerators only
        cfg.optim_wrapper.type = 'CPUAutocastOptimWrapper'
    if args.auto_scale_lr:
        if cfg.get('auto_scale_lr', {}).get('base_batch_size') is None:
            raise SystemExit(f'{args.config} has no auto_scale_lr.'
                             'base_batch_size: set the batch its learning '
                             'rate is meant for')
        cfg.auto_scale_lr.enable = True
    if args.resume is not None:
        resolve_resume(cfg, args.resume)
    # a rank silent for env_cfg.dist_cfg.timeout is named (RankWatchHook)
    train_watched(Runner.from_cfg(cfg))


if __name__ == '__main__':
    main()
