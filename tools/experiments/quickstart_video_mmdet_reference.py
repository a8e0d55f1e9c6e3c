"""Train mmdet's own Mask2Former-VIS (Mask2FormerVideo) with the video
quickstart's data, recipe and architecture, for a given number of
iterations (pick it so that the wall time matches the video quickstart's
training time), and print its YouTube-VIS AP on the val videos.

    python3 tools/experiments/quickstart_video_mmdet_reference.py --iters N
        [--work-dir work_dirs/quickstart_video_mmdet] [--cfg-options k=v ...]

The data (data/shape_videos/, written by ``tools/quickstart.py --task
video``) is read by m2f_mm's YouTubeVISJsonDataset and scored by the same
metric; the model is mmdet's, built from our config by
``m2f_mm.testing.mmdet_twin.mmdet_video_equivalent_config``.
"""
import argparse
import time

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from m2f_mm.testing.mmdet_twin import mmdet_video_equivalent_config
from m2f_mm.testing.schedules import rescale_schedule
from m2f_mm.testing.tools import load_tool
from m2f_mm.utils import register_all_modules

CONFIG = 'configs/quickstart/m2f_r18_shape_videos_vis.py'


def mmdet_video_reference_config(iters: int, work_dir: str,
                                 config: str = CONFIG) -> Config:
    """The video quickstart config with mmdet's Mask2FormerVideo (our
    model's architecture in mmdet's config) for ``iters`` iterations, in
    mmdet's scope."""
    cfg = Config.fromfile(config)
    frames = cfg.train_dataloader.dataset.pipeline[0].num_ref_imgs + 1
    model = mmdet_video_equivalent_config(cfg.model, num_frames=frames)
    model.backbone.init_cfg = None
    cfg.model = model
    cfg.optim_wrapper.paramwise_cfg.custom_keys = {
        'query_embed': dict(decay_mult=0.0), 'query_feat': dict(decay_mult=0.0),
        'track_head.level_embed': dict(decay_mult=0.0)}
    rescale_schedule(cfg, iters)
    cfg.train_cfg.val_interval = iters
    cfg.work_dir = work_dir
    unscoped = load_tool('tools/experiments/quickstart_mmdet_reference.py'
                         ).unscoped
    cfg = Config(unscoped(cfg.to_dict()))
    cfg.default_scope = 'mmdet'
    return cfg


def main():
    register_all_modules()  # safe checkpoints, m2f_mm:: names (utils/setup_env.py)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--iters', type=int, required=True)
    parser.add_argument('--work-dir', default='work_dirs/quickstart_video_mmdet')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value')
    args = parser.parse_args()
    cfg = mmdet_video_reference_config(args.iters, args.work_dir)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    start = time.time()
    Runner.from_cfg(cfg).train()
    print(f'mmdet Mask2Former-VIS, {args.iters} iterations, '
          f'{time.time() - start:.0f} s (training + final val)')


if __name__ == '__main__':
    main()
