"""Train mmdet's own Mask2Former with the quickstart's data, recipe and
architecture, for a given number of iterations (pick it so that the wall
time matches the quickstart's training time), and print its val PQ.

    python tools/analysis/quickstart_mmdet_reference.py --iters N
        [--work-dir work_dirs/quickstart_mmdet]

mmdet's model has no semantic output, so mIoU is not computed for it.
"""
import argparse
import time

from mmengine.config import Config
from mmengine.runner import Runner

import m2f_mm  # noqa: F401  (safe checkpoints)
from benchmark_train_step import mmdet_equivalent  # same folder

CONFIG = 'configs/quickstart/m2f_r18_shapes_panoptic.py'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--iters', type=int, required=True)
    parser.add_argument('--work-dir', default='work_dirs/quickstart_mmdet')
    args = parser.parse_args()
    cfg = Config.fromfile(CONFIG)
    model = mmdet_equivalent(cfg.model)
    model.backbone.init_cfg = None
    for scoped in (model, model.backbone, model.data_preprocessor):
        scoped.type = 'mmdet.' + scoped.type
    cfg.model = model
    cfg.val_evaluator = cfg.val_evaluator[:2]  # PQ and mask AP
    cfg.test_evaluator = cfg.val_evaluator
    cfg.optim_wrapper.paramwise_cfg.custom_keys = {
        'query_embed': dict(decay_mult=0.0), 'query_feat': dict(decay_mult=0.0),
        'level_embed': dict(decay_mult=0.0)}
    cfg.train_cfg.max_iters = args.iters
    cfg.train_cfg.val_interval = args.iters
    cfg.param_scheduler[1].end = args.iters
    cfg.param_scheduler[1].milestones = [int(args.iters * 0.87)]
    cfg.work_dir = args.work_dir
    start = time.time()
    runner = Runner.from_cfg(cfg)
    runner.train()
    print(f'mmdet Mask2Former, {args.iters} iterations, '
          f'{time.time() - start:.0f} s (training + final val)')


if __name__ == '__main__':
    main()
