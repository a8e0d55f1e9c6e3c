"""Training-step and inference time of m2f_mm's Mask2Former against mmdet's,
same architecture, same weights, same batch, measured in the same run.

    python tools/analysis/benchmark_train_step.py [--config CFG] [--steps 5]
        [--batch 8] [--size 128] [--infer-size 800 1216]

Defaults: the quickstart architecture on a batch of 8 synthetic 128 px scenes
(training), and one 800x1216 image through an R50 model (inference; the
issue's reference figure). Prints seconds per step and the ratio mmdet/ours.
"""
import argparse
import copy
import platform
import sys
import time

import torch
from mmengine.config import Config, ConfigDict
from mmengine.registry import init_default_scope

import m2f_mm  # noqa: F401
from m2f_mm.converters import convert_mmdet_state_dict
from m2f_mm.registry import MODELS


def mmdet_equivalent(model_cfg: ConfigDict) -> ConfigDict:
    """mmdet's Mask2Former config computing the same function as ours."""
    head = model_cfg.head
    pd, td, loss = head.pixel_decoder, head.transformer_decoder, head.loss
    width = head.embed_dims
    nt, ns = model_cfg.num_things_classes, model_cfg.num_stuff_classes
    attn = dict(embed_dims=width, num_heads=td.num_heads, dropout=0.0,
                batch_first=True)
    ffn = lambda d: dict(embed_dims=width, feedforward_channels=d, num_fcs=2,  # noqa: E731
                         ffn_drop=0.0, act_cfg=dict(type='ReLU', inplace=True))
    backbone = copy.deepcopy(model_cfg.backbone)
    backbone.type = backbone.type.replace('mmdet.', '')
    dp = copy.deepcopy(model_cfg.data_preprocessor)
    dp.type = dp.type.replace('mmdet.', '')
    return ConfigDict(
        type='Mask2Former', data_preprocessor=dp, backbone=backbone,
        panoptic_head=dict(
            type='Mask2FormerHead', in_channels=head.in_channels,
            strides=[4, 8, 16, 32], feat_channels=head.feat_channels,
            out_channels=head.mask_dims, num_things_classes=nt,
            num_stuff_classes=ns, num_queries=head.num_queries,
            num_transformer_feat_level=3,
            pixel_decoder=dict(
                type='MSDeformAttnPixelDecoder', num_outs=3,
                norm_cfg=dict(type='GN', num_groups=pd.num_groups),
                act_cfg=dict(type='ReLU'),
                encoder=dict(num_layers=pd.num_layers, layer_cfg=dict(
                    self_attn_cfg=dict(embed_dims=head.feat_channels,
                                       num_heads=pd.num_heads, num_levels=3,
                                       num_points=pd.num_points, dropout=0.0,
                                       batch_first=True),
                    ffn_cfg=dict(ffn(pd.feedforward_dims),
                                 embed_dims=head.feat_channels))),
                positional_encoding=dict(num_feats=head.feat_channels // 2,
                                         normalize=True)),
            enforce_decoder_input_project=False,
            positional_encoding=dict(num_feats=width // 2, normalize=True),
            transformer_decoder=dict(
                return_intermediate=True, num_layers=td.num_layers,
                layer_cfg=dict(self_attn_cfg=attn, cross_attn_cfg=attn,
                               ffn_cfg=ffn(td.feedforward_dims)),
                init_cfg=None),
            loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=False,
                          loss_weight=loss.class_weight, reduction='mean',
                          class_weight=[1.0] * (nt + ns) + [loss.no_object_weight]),
            loss_mask=dict(type='CrossEntropyLoss', use_sigmoid=True,
                           reduction='mean', loss_weight=loss.mask_weight),
            loss_dice=dict(type='DiceLoss', use_sigmoid=True, activate=True,
                           reduction='mean', naive_dice=True, eps=1.0,
                           loss_weight=loss.dice_weight)),
        panoptic_fusion_head=dict(type='MaskFormerFusionHead',
                                  num_things_classes=nt, num_stuff_classes=ns,
                                  loss_panoptic=None, init_cfg=None),
        train_cfg=dict(
            num_points=loss.num_points, oversample_ratio=loss.oversample_ratio,
            importance_sample_ratio=loss.importance_sample_ratio,
            assigner=dict(type='HungarianAssigner', match_costs=[
                dict(type='ClassificationCost', weight=loss.class_weight),
                dict(type='CrossEntropyLossCost', weight=loss.mask_weight,
                     use_sigmoid=True),
                dict(type='DiceCost', weight=loss.dice_weight, pred_act=True,
                     eps=1.0)]),
            sampler=dict(type='MaskPseudoSampler')),
        test_cfg=dict(panoptic_on=True, semantic_on=False, instance_on=True,
                      max_per_image=100, iou_thr=0.8, filter_low_score=True),
        init_cfg=None)


def build_pair(model_cfg):
    """(ours, mmdet's) with mmdet's weights converted into ours."""
    from mmdet.registry import MODELS as MMDET_MODELS
    init_default_scope('mmdet')
    ref = MMDET_MODELS.build(mmdet_equivalent(model_cfg))
    init_default_scope('m2f_mm')
    ours = MODELS.build(model_cfg)
    ours.load_state_dict(convert_mmdet_state_dict(ref.state_dict()))
    return ours, ref


def timed(fn, steps, warmup=1):
    for _ in range(warmup):
        fn()
    start = time.perf_counter()
    for _ in range(steps):
        fn()
    return (time.perf_counter() - start) / steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config',
                        default='configs/quickstart/m2f_r18_shapes_panoptic.py')
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--size', type=int, default=128)
    parser.add_argument('--infer-size', type=int, nargs=2, default=None,
                        help='also time R50 inference at this H W')
    args = parser.parse_args()
    sys.path.insert(0, 'tests')
    from oracle import make_batch
    torch.manual_seed(0)
    cfg = Config.fromfile(args.config)
    print(f'machine: {platform.processor() or platform.machine()}, '
          f'{torch.get_num_threads()} threads, torch {torch.__version__}')
    ours, ref = build_pair(cfg.model)
    inputs, samples = make_batch(ref, sizes=((args.size, args.size), ) * args.batch,
                                 training=True)
    nt = cfg.model.num_things_classes
    for s in samples:
        s.gt_instances.labels %= nt
    times = {}
    for name, model in (('mmdet', ref), ('m2f_mm', ours)):
        model.train()
        optim = torch.optim.AdamW(model.parameters(), lr=1e-4)

        def step():
            total = sum(model.loss(inputs, copy.deepcopy(samples)).values())
            optim.zero_grad()
            total.backward()
            optim.step()
        times[name] = timed(step, args.steps)
    print(f'train step, batch {args.batch} x {args.size}px: mmdet '
          f'{times["mmdet"]:.3f} s, m2f_mm {times["m2f_mm"]:.3f} s, '
          f'mmdet/m2f_mm = {times["mmdet"] / times["m2f_mm"]:.2f}x')
    if args.infer_size:
        r50 = Config.fromfile('configs/_base_/models/m2f_r50.py').model
        r50.backbone.init_cfg = None
        ours, ref = build_pair(r50)
        h, w = args.infer_size
        inputs, samples = make_batch(ref, sizes=((h, w), ), training=False)
        for name, model in (('mmdet', ref), ('m2f_mm', ours)):
            model.eval()
            with torch.no_grad():
                times[name] = timed(
                    lambda: model.predict(inputs, copy.deepcopy(samples)), 2, 1)
        print(f'R50 predict, 1 x {h}x{w}: mmdet {times["mmdet"]:.2f} s, m2f_mm '
              f'{times["m2f_mm"]:.2f} s, mmdet/m2f_mm = '
              f'{times["mmdet"] / times["m2f_mm"]:.2f}x')


if __name__ == '__main__':
    main()
