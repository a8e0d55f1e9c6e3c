"""Train mmdet's own Mask2Former with the quickstart's data, recipe and
architecture, for a given number of iterations (pick it so that the wall
time matches the quickstart's training time), and print its val PQ.

    python tools/experiments/quickstart_mmdet_reference.py --iters N
        [--work-dir work_dirs/quickstart_mmdet]

mmdet's model has no semantic output, so mIoU is not computed for it.
"""
import argparse
import time

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from m2f_mm.utils import register_all_modules
from m2f_mm.testing.mmdet_twin import mmdet_equivalent_config
from m2f_mm.testing.schedules import rescale_schedule

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


def mmdet_reference_config(iters: int, work_dir: str,
                           config: str = CONFIG) -> Config:
    """The quickstart config with mmdet's own Mask2Former (our model's
    architecture in mmdet's config) for ``iters`` iterations, in mmdet's
    scope."""
    cfg = Config.fromfile(config)
    model = mmdet_equivalent_config(cfg.model)
    model.backbone.init_cfg = None
    cfg.model = model
    cfg.val_evaluator = cfg.val_evaluator[:2]  # PQ and mask AP
    cfg.test_evaluator = cfg.val_evaluator
    cfg.optim_wrapper.paramwise_cfg.custom_keys = {
        'query_embed': dict(decay_mult=0.0), 'query_feat': dict(decay_mult=0.0),
        'level_embed': dict(decay_mult=0.0)}
    rescale_schedule(cfg, iters)
    cfg.train_cfg.val_interval = iters
    cfg.work_dir = work_dir
    cfg = Config(unscoped(cfg.to_dict()))
    cfg.default_scope = 'mmdet'
    return cfg


def main():
    register_all_modules()  # safe checkpoints, m2f_mm:: names (utils/setup_env.py)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--iters', type=int, required=True)
    parser.add_argument('--work-dir', default='work_dirs/quickstart_mmdet')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value')
    args = parser.parse_args()
    cfg = mmdet_reference_config(args.iters, args.work_dir)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    start = time.time()
    runner = Runner.from_cfg(cfg)
    runner.train()
    print(f'mmdet Mask2Former, {args.iters} iterations, '
          f'{time.time() - start:.0f} s (training + final val)')


if __name__ == '__main__':
    main()
