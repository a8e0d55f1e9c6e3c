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
from m2f_mm.converters import mmdet_equivalent_config
from quickstart_schedule import rescale_schedule

CONFIG = 'configs/quickstart/m2f_r18_shapes_panoptic.py'


def _ours():
    """Every name registered in m2f_mm's registries."""
    from m2f_mm import registry
    return {name for kind in ('MODELS', 'DATASETS', 'TRANSFORMS', 'METRICS',
                              'HOOKS', 'TASK_UTILS')
            for name in getattr(registry, kind).module_dict}


def unscoped(node, ours=None):
    """The config for mmdet's scope: 'mmdet.' dropped from every type (there
    mmdet's Mask2Former builds its parts by bare names, and a scoped name
    would not reach mmcv's transforms), and ours (datasets, transforms,
    metrics, hooks) named with 'm2f_mm.'."""
    ours = _ours() if ours is None else ours
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == 'type' and isinstance(v, str):
                v = v[len('mmdet.'):] if v.startswith('mmdet.') else \
                    f'm2f_mm.{v}' if v in ours else v
                out[k] = v
            else:
                out[k] = unscoped(v, ours)
        return out
    if isinstance(node, (list, tuple)):
        return type(node)(unscoped(v, ours) for v in node)
    return node


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--iters', type=int, required=True)
    parser.add_argument('--work-dir', default='work_dirs/quickstart_mmdet')
    args = parser.parse_args()
    cfg = Config.fromfile(CONFIG)
    model = mmdet_equivalent_config(cfg.model)
    model.backbone.init_cfg = None
    cfg.model = model
    cfg.val_evaluator = cfg.val_evaluator[:2]  # PQ and mask AP
    cfg.test_evaluator = cfg.val_evaluator
    cfg.optim_wrapper.paramwise_cfg.custom_keys = {
        'query_embed': dict(decay_mult=0.0), 'query_feat': dict(decay_mult=0.0),
        'level_embed': dict(decay_mult=0.0)}
    rescale_schedule(cfg, args.iters)
    cfg.train_cfg.val_interval = args.iters
    cfg.work_dir = args.work_dir
    cfg = Config(unscoped(cfg.to_dict()))
    cfg.default_scope = 'mmdet'
    start = time.time()
    runner = Runner.from_cfg(cfg)
    runner.train()
    print(f'mmdet Mask2Former, {args.iters} iterations, '
          f'{time.time() - start:.0f} s (training + final val)')


if __name__ == '__main__':
    main()
