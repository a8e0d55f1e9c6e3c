"""Train mmdet's own Mask2Former with the quickstart's data, recipe and
architecture, for a given number of iterations (pick it so that the wall
time matches the quickstart's training time), and print its val PQ; with
``--task video`` mmdet's Mask2Former-VIS (Mask2FormerVideo) with the video
quickstart's, and its YouTube-VIS AP.

    python tools/experiments/quickstart_mmdet_reference.py --iters N
        [--task panoptic|video] [--work-dir work_dirs/quickstart_mmdet]
        [--cfg-options k=v ...]

mmdet's model has no semantic output, so mIoU is not computed for it. The
video data (data/shape_videos/, written by ``tools/quickstart.py --task
video``) is read by m2f_mm's YouTubeVISJsonDataset and scored by the same
metric as ours.
"""
import argparse
import time

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from m2f_mm.utils import register_all_modules
from m2f_mm.testing.mmdet_twin import (mmdet_equivalent_config,
                                       mmdet_video_equivalent_config)
from m2f_mm.testing.schedules import rescale_schedule
from m2f_mm.utils import cli

CONFIG = 'configs/quickstart/m2f_r18_shapes_panoptic.py'
VIDEO_CONFIG = 'configs/quickstart/m2f_r18_shape_videos_vis.py'


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
    scope; a video config gets mmdet's Mask2FormerVideo."""
    cfg = Config.fromfile(config)
    if cfg.model.type == 'M2FVideoSegmentor':
        frames = cfg.train_dataloader.dataset.pipeline[0].num_ref_imgs + 1
        model = mmdet_video_equivalent_config(cfg.model, num_frames=frames)
        level_embed = 'track_head.level_embed'
    else:
        model = mmdet_equivalent_config(cfg.model)
        cfg.val_evaluator = cfg.val_evaluator[:2]  # PQ and mask AP
        cfg.test_evaluator = cfg.val_evaluator
        level_embed = 'level_embed'
    model.backbone.init_cfg = None
    cfg.model = model
    cfg.optim_wrapper.paramwise_cfg.custom_keys = {
        'query_embed': dict(decay_mult=0.0), 'query_feat': dict(decay_mult=0.0),
        level_embed: dict(decay_mult=0.0)}
    rescale_schedule(cfg, iters)
    cfg.train_cfg.val_interval = iters
    cfg.work_dir = work_dir
    cfg = Config(unscoped(cfg.to_dict()))
    cfg.default_scope = 'mmdet'
    return cfg


def main(argv=None):
    register_all_modules()  # safe checkpoints, m2f_mm:: names (utils/setup_env.py)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--iters', type=int, required=True)
    parser.add_argument('--task', choices=['panoptic', 'video'],
                        default='panoptic')
    parser.add_argument('--work-dir', default='work_dirs/quickstart_mmdet',
                        type=cli.work_dir)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value')
    args = parser.parse_args(argv)
    cfg = mmdet_reference_config(
        args.iters, args.work_dir,
        VIDEO_CONFIG if args.task == 'video' else CONFIG)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    start = time.time()
    runner = Runner.from_cfg(cfg)
    runner.train()
    print(f'mmdet Mask2Former{"-VIS" if args.task == "video" else ""}, '
          f'{args.iters} iterations, '
          f'{time.time() - start:.0f} s (training + final val)')


if __name__ == '__main__':
    main()
