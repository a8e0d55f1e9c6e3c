"""Build m2f_mm's Mask2Former and mmdet's (the oracle) from one tiny spec,
with mmdet's weights converted into ours (mmdet's config comes from
m2f_mm.testing.mmdet_twin.mmdet_equivalent_config, as in the benchmarks)."""
import copy

import torch
from mmengine.registry import init_default_scope

from m2f_mm.converters import convert_mmdet_state_dict
from m2f_mm.models.layers.deformable_attention import sampling_path
from m2f_mm.registry import MODELS
from .mmdet_twin import (mmdet_equivalent_config,
                         mmdet_video_equivalent_config)
from .random_batch import random_panoptic_batch

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


def ours_video_cfg(top_k: int = 10):
    """Our M2FVideoSegmentor config for the tiny spec: the image spec's
    backbone and head, things only, mmdet's TrackDataPreprocessor."""
    image = ours_cfg()
    return dict(
        type='M2FVideoSegmentor', backbone=image['backbone'],
        num_things_classes=NUM_THINGS, top_k=top_k, head=image['head'],
        data_preprocessor=dict(
            type='mmdet.TrackDataPreprocessor',
            mean=DATA_PREPROCESSOR['mean'], std=DATA_PREPROCESSOR['std'],
            bgr_to_rgb=True, pad_size_divisor=32, pad_mask=True))


def mmdet_cfg():
    """mmdet's Mask2Former config for the same spec."""
    return mmdet_equivalent_config(ours_cfg())


def _randomise(ref) -> None:
    """A random, non-degenerate init of mmdet's head (its default init
    leaves several tensors at zero), so every parameter matters."""
    ref.init_weights()
    with torch.no_grad():
        for name, p in ref.named_parameters():
            if 'backbone' in name:
                continue
            if p.dim() == 1 and ('norm' in name or '.gn.' in name):
                p.copy_(1 + 0.1 * torch.randn_like(p))
            else:
                p.copy_(torch.randn_like(p) * (0.5 / max(p.shape[-1], 1)**0.5))


def _twins(mmdet_config, our_config, seed):
    from mmdet.registry import MODELS as MMDET_MODELS
    torch.manual_seed(seed)
    init_default_scope('mmdet')
    ref = MMDET_MODELS.build(mmdet_config)
    _randomise(ref)
    init_default_scope('m2f_mm')
    ours = MODELS.build(our_config)
    missing, unexpected = ours.load_state_dict(
        convert_mmdet_state_dict(ref.state_dict()), strict=True)
    assert not missing and not unexpected
    return ours.eval(), ref.eval()


def build_twins(test_cfg=None, seed=0):
    """(ours, mmdet's) in eval mode, ours loaded with mmdet's converted
    weights (randomised: every parameter matters in the comparison)."""
    return _twins(mmdet_cfg(), ours_cfg(test_cfg), seed)


def build_video_twins(num_frames: int = 2, seed=0):
    """(ours, mmdet's Mask2FormerVideo) in eval mode, the same weights."""
    cfg = ours_video_cfg()
    return _twins(mmdet_video_equivalent_config(cfg, num_frames), cfg, seed)


def grid_sample_attention(model):
    """Run ``model``'s deformable attention on mmcv's grid_sample path, as
    mmdet does (a context manager).

    The default CPU path (the compiled op, faster) differs from it only by
    float rounding (tested alone in test_deformable_attention.py);
    comparisons that need bit-level agreement downstream use this path.
    """
    return sampling_path(model, 'grid_sample')


def largest_set_deviation(ours, theirs) -> float:
    """Largest absolute difference between two models' prediction sets
    (class logits of every set, then mask logits of every set), which must
    pair up in number and shape."""
    ours, theirs = list(ours), list(theirs)
    assert len(ours) == len(theirs)
    worst = 0.
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape
        worst = max(worst, (a - b).abs().max().item())
    return worst


def make_batch(model, **kwargs):
    """A random batch of the tiny spec's classes (see random_panoptic_batch)."""
    return random_panoptic_batch(model, num_things=NUM_THINGS, **kwargs)


def clone_samples(samples):
    """Deep copies, so the two models never share mutable samples."""
    return [copy.deepcopy(s) for s in samples]
