"""Train mmseg's Semantic FPN on the quickstart's backbone, data and recipe,
and print its val IoU per class: a per-pixel baseline that says how fast the
from-scratch backbone learns to tell the shapes apart without any
Mask2Former part.

    python tools/experiments/quickstart_fpn_reference.py [--iters 1300]
        [--work-dir work_dirs/quickstart_fpn]

Compare its thing-class IoUs with the quickstart model's semantic output
(``tools/test.py configs/quickstart/m2f_r18_shapes_panoptic.py CKPT`` prints
the same table). Everything but the segmentor comes from the quickstart's
semantic config: ResNet-18 from scratch, label PNGs, AdamW schedule, mIoU.
"""
import argparse
import time

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from m2f_mm.utils import register_all_modules
from m2f_mm.testing.schedules import rescale_schedule
from m2f_mm.utils import cli

CONFIG = 'configs/quickstart/m2f_r18_shapes_semantic.py'
FPN_CHANNELS = 128  # the quickstart head's width


def fpn_reference_config(config: str = CONFIG) -> Config:
    """The quickstart semantic config with Mask2Former's head replaced by
    mmseg's FPN neck + FPNHead (per-pixel softmax CE), all else unchanged."""
    cfg = Config.fromfile(config)
    quick = cfg.model
    in_channels = quick.decode_head.head.in_channels
    cfg.model = dict(
        type='mmseg.EncoderDecoder',
        data_preprocessor=quick.data_preprocessor,
        backbone=quick.backbone,
        neck=dict(type='mmseg.FPN', in_channels=in_channels,
                  out_channels=FPN_CHANNELS, num_outs=len(in_channels)),
        decode_head=dict(
            type='mmseg.FPNHead',
            in_channels=[FPN_CHANNELS] * len(in_channels),
            in_index=list(range(len(in_channels))),
            feature_strides=[4, 8, 16, 32],
            channels=FPN_CHANNELS,
            dropout_ratio=0.0,
            num_classes=quick.decode_head.num_classes,
            norm_cfg=dict(type='BN', requires_grad=True),
            align_corners=False,
            loss_decode=dict(type='mmseg.CrossEntropyLoss', loss_weight=1.0)),
        train_cfg=dict(),
        test_cfg=quick.test_cfg)
    return cfg


def main(argv=None):
    register_all_modules()  # safe checkpoints, m2f_mm:: names (utils/setup_env.py)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--iters', type=int, default=None,
                        help='training iterations (default: the quickstart\'s)')
    parser.add_argument('--work-dir', default='work_dirs/quickstart_fpn',
                        type=cli.work_dir)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value')
    args = parser.parse_args(argv)
    cfg = fpn_reference_config()
    if args.iters is not None:
        rescale_schedule(cfg, args.iters)
    cfg.work_dir = args.work_dir
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    start = time.time()
    Runner.from_cfg(cfg).train()
    print(f'Semantic FPN, {cfg.train_cfg.max_iters} iterations, '
          f'{time.time() - start:.0f} s (training + validations); per-class '
          f'IoU in the last table above')


if __name__ == '__main__':
    main()
