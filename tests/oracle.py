"""Build m2f_mm's Mask2Former and mmdet's (the oracle) from one tiny spec,
with mmdet's weights converted into ours."""
import contextlib
import copy

import torch
from mmengine.config import ConfigDict
from mmengine.registry import init_default_scope

import m2f_mm  # noqa: F401
from m2f_mm.converters import convert_mmdet_state_dict
from m2f_mm.registry import MODELS

# One tiny spec: ResNet-18, 64 channels, 9 decoder layers as in the paper.
NUM_THINGS, NUM_STUFF = 3, 2
NUM_CLASSES = NUM_THINGS + NUM_STUFF
NUM_QUERIES = 12
WIDTH = 64
NUM_POINTS = 256

BACKBONE = dict(type='mmdet.ResNet', depth=18, num_stages=4,
                out_indices=(0, 1, 2, 3), frozen_stages=-1,
                norm_cfg=dict(type='BN', requires_grad=False), norm_eval=True,
                style='pytorch', init_cfg=None)
DATA_PREPROCESSOR = dict(type='mmdet.DetDataPreprocessor',
                         mean=[123.675, 116.28, 103.53],
                         std=[58.395, 57.12, 57.375], bgr_to_rgb=True,
                         pad_size_divisor=32, pad_mask=True, mask_pad_value=0,
                         pad_seg=True, seg_pad_value=255)


def ours_cfg(test_cfg=None):
    """Our M2FDetector config for the tiny spec."""
    return dict(
        type='M2FDetector',
        backbone=BACKBONE,
        num_things_classes=NUM_THINGS,
        num_stuff_classes=NUM_STUFF,
        data_preprocessor=DATA_PREPROCESSOR,
        head=dict(
            type='M2FHead', in_channels=[64, 128, 256, 512],
            num_queries=NUM_QUERIES, feat_channels=WIDTH, embed_dims=WIDTH,
            mask_dims=WIDTH,
            pixel_decoder=dict(type='DeformablePixelDecoder', num_layers=6,
                               num_heads=8, num_points=4,
                               feedforward_dims=128, num_groups=32),
            transformer_decoder=dict(type='MaskedAttentionDecoder',
                                     num_layers=9, num_heads=8,
                                     feedforward_dims=128),
            loss=dict(type='MaskSetLoss', class_weight=2.0, mask_weight=5.0,
                      dice_weight=5.0, no_object_weight=0.1,
                      num_points=NUM_POINTS, oversample_ratio=3.0,
                      importance_sample_ratio=0.75,
                      assigner=dict(type='PointHungarianAssigner',
                                    num_points=NUM_POINTS, match_costs=[
                                        dict(type='ClassProbCost', weight=2.0),
                                        dict(type='PointBCECost', weight=5.0),
                                        dict(type='PointDiceCost', weight=5.0)
                                    ]))),
        test_cfg=test_cfg or dict(panoptic_on=True, instance_on=True,
                                  semantic_on=True))


def mmdet_cfg():
    """mmdet's Mask2Former config for the same spec."""
    attn = dict(embed_dims=WIDTH, num_heads=8, dropout=0.0, batch_first=True)
    ffn = lambda d: dict(embed_dims=WIDTH, feedforward_channels=d, num_fcs=2,  # noqa: E731
                         ffn_drop=0.0, act_cfg=dict(type='ReLU', inplace=True))
    return dict(
        type='Mask2Former',
        data_preprocessor=dict(DATA_PREPROCESSOR, type='DetDataPreprocessor'),
        backbone=dict(BACKBONE, type='ResNet'),
        panoptic_head=dict(
            type='Mask2FormerHead', in_channels=[64, 128, 256, 512],
            strides=[4, 8, 16, 32], feat_channels=WIDTH, out_channels=WIDTH,
            num_things_classes=NUM_THINGS, num_stuff_classes=NUM_STUFF,
            num_queries=NUM_QUERIES, num_transformer_feat_level=3,
            pixel_decoder=dict(
                type='MSDeformAttnPixelDecoder', num_outs=3,
                norm_cfg=dict(type='GN', num_groups=32),
                act_cfg=dict(type='ReLU'),
                encoder=dict(num_layers=6, layer_cfg=dict(
                    self_attn_cfg=dict(embed_dims=WIDTH, num_heads=8,
                                       num_levels=3, num_points=4,
                                       dropout=0.0, batch_first=True),
                    ffn_cfg=ffn(128))),
                positional_encoding=dict(num_feats=WIDTH // 2, normalize=True)),
            enforce_decoder_input_project=False,
            positional_encoding=dict(num_feats=WIDTH // 2, normalize=True),
            transformer_decoder=dict(
                return_intermediate=True, num_layers=9,
                layer_cfg=dict(self_attn_cfg=attn, cross_attn_cfg=attn,
                               ffn_cfg=ffn(128)),
                init_cfg=None),
            loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=False,
                          loss_weight=2.0, reduction='mean',
                          class_weight=[1.0] * NUM_CLASSES + [0.1]),
            loss_mask=dict(type='CrossEntropyLoss', use_sigmoid=True,
                           reduction='mean', loss_weight=5.0),
            loss_dice=dict(type='DiceLoss', use_sigmoid=True, activate=True,
                           reduction='mean', naive_dice=True, eps=1.0,
                           loss_weight=5.0)),
        panoptic_fusion_head=dict(type='MaskFormerFusionHead',
                                  num_things_classes=NUM_THINGS,
                                  num_stuff_classes=NUM_STUFF,
                                  loss_panoptic=None, init_cfg=None),
        train_cfg=dict(
            num_points=NUM_POINTS, oversample_ratio=3.0,
            importance_sample_ratio=0.75,
            assigner=dict(type='HungarianAssigner', match_costs=[
                dict(type='ClassificationCost', weight=2.0),
                dict(type='CrossEntropyLossCost', weight=5.0, use_sigmoid=True),
                dict(type='DiceCost', weight=5.0, pred_act=True, eps=1.0)
            ]),
            sampler=dict(type='MaskPseudoSampler')),
        test_cfg=dict(panoptic_on=True, semantic_on=False, instance_on=True,
                      max_per_image=100, iou_thr=0.8, filter_low_score=True),
        init_cfg=None)


def build_twins(test_cfg=None, seed=0):
    """(ours, mmdet's) in eval mode, ours loaded with mmdet's converted weights.

    mmdet's weights get a random, non-degenerate init (its default init leaves
    several tensors at zero), so every parameter matters in the comparison.
    """
    from mmdet.registry import MODELS as MMDET_MODELS
    torch.manual_seed(seed)
    init_default_scope('mmdet')
    ref = MMDET_MODELS.build(ConfigDict(mmdet_cfg()))
    ref.init_weights()
    with torch.no_grad():
        for name, p in ref.named_parameters():
            if 'backbone' in name:
                continue
            if p.dim() == 1 and ('norm' in name or '.gn.' in name):
                p.copy_(1 + 0.1 * torch.randn_like(p))
            else:
                p.copy_(torch.randn_like(p) * (0.5 / max(p.shape[-1], 1)**0.5))
    init_default_scope('m2f_mm')
    ours = MODELS.build(ours_cfg(test_cfg))
    missing, unexpected = ours.load_state_dict(
        convert_mmdet_state_dict(ref.state_dict()), strict=True)
    assert not missing and not unexpected
    return ours.eval(), ref.eval()


@contextlib.contextmanager
def grid_sample_attention():
    """Run our deformable attention on mmcv's grid_sample path, as mmdet does.

    The default CPU path (a dense sampling matrix, faster) differs from it
    only by float rounding (tested alone in test_deformable_attention.py);
    comparisons that need bit-level agreement downstream use this path.
    """
    from m2f_mm.models.layers import deformable_attention
    limit = deformable_attention.DENSE_MAX_ELEMENTS
    deformable_attention.DENSE_MAX_ELEMENTS = 0
    try:
        yield
    finally:
        deformable_attention.DENSE_MAX_ELEMENTS = limit


def make_batch(model, sizes=((64, 96), (96, 64)), seed=0, training=False,
               empty_image=None):
    """Preprocess a batch of random images with random panoptic targets.

    Each image gets 2 thing instances (rectangles) and stuff classes filling
    the rest by halves; ``empty_image`` (an index) gets no targets at all.
    """
    import numpy as np
    from mmdet.structures import DetDataSample
    from mmdet.structures.mask import BitmapMasks
    from mmengine.structures import InstanceData, PixelData
    gen = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for i, (h, w) in enumerate(sizes):
        inputs.append(torch.randint(0, 256, (3, h, w), generator=gen,
                                    dtype=torch.uint8))
        sem = torch.full((h, w), 255, dtype=torch.long)
        masks, labels = [], []
        if i != empty_image:
            sem[:h // 2] = NUM_THINGS
            sem[h // 2:] = NUM_THINGS + 1
            for k in range(2):
                y0 = int(torch.randint(0, h // 2, (1, ), generator=gen))
                x0 = int(torch.randint(0, w // 2, (1, ), generator=gen))
                m = np.zeros((h, w), dtype=np.uint8)
                m[y0:y0 + h // 3, x0:x0 + w // 3] = 1
                label = int(torch.randint(0, NUM_THINGS, (1, ), generator=gen))
                sem[torch.from_numpy(m).bool()] = label
                masks.append(m)
                labels.append(label)
        s = DetDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w),
                                        scale_factor=(1., 1.)))
        s.gt_instances = InstanceData(
            labels=torch.tensor(labels, dtype=torch.long),
            masks=BitmapMasks(np.stack(masks) if masks else
                              np.zeros((0, h, w), np.uint8), h, w),
            bboxes=torch.zeros(len(labels), 4))
        s.gt_sem_seg = PixelData(sem_seg=sem[None])
        samples.append(s)
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=samples),
                                   training)
    return data['inputs'], data['data_samples']


def clone_samples(samples):
    """Deep copies, so the two models never share mutable samples."""
    return [copy.deepcopy(s) for s in samples]
