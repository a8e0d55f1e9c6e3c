"""Our model config -> the config of mmdet's own Mask2Former computing the
same function, and that model built with its weights converted into ours.
The oracle tests and the benchmarks compare the two through this one module
(configs only: nothing of mmdet's Mask2Former is imported here)."""
import copy
from typing import Tuple

from mmengine.config import ConfigDict
from mmengine.registry import init_default_scope
from torch import nn

from m2f_mm.converters.mmdet_checkpoint import convert_mmdet_state_dict


def _unscoped(type_name: str) -> str:
    return type_name.split('.', 1)[1] if type_name.startswith('mmdet.') \
        else type_name


def mmdet_equivalent_config(model_cfg: dict) -> ConfigDict:
    """mmdet's ``Mask2Former`` config for one of our ``M2FDetector`` configs:
    the same backbone, widths, layers, losses, matching and thresholds."""
    model_cfg = ConfigDict(copy.deepcopy(dict(model_cfg)))
    head = model_cfg.head
    pd, td, loss = head.pixel_decoder, head.transformer_decoder, head.loss
    width, feat = head.embed_dims, head.feat_channels
    things = model_cfg.num_things_classes
    stuff = model_cfg.get('num_stuff_classes', 0)
    test = dict(model_cfg.get('test_cfg') or {})

    def ffn(dims, hidden):
        return dict(embed_dims=dims, feedforward_channels=hidden, num_fcs=2,
                    ffn_drop=0.0, act_cfg=dict(type='ReLU', inplace=True))

    attn = dict(embed_dims=width, num_heads=td.num_heads, dropout=0.0,
                batch_first=True)
    backbone = copy.deepcopy(model_cfg.backbone)
    backbone.type = _unscoped(backbone.type)
    preprocessor = copy.deepcopy(model_cfg.data_preprocessor)
    preprocessor.type = _unscoped(preprocessor.type)
    return ConfigDict(
        type='Mask2Former', data_preprocessor=preprocessor, backbone=backbone,
        panoptic_head=dict(
            type='Mask2FormerHead', in_channels=head.in_channels,
            strides=[4, 8, 16, 32], feat_channels=feat,
            out_channels=head.mask_dims, num_things_classes=things,
            num_stuff_classes=stuff, num_queries=head.num_queries,
            num_transformer_feat_level=pd.get('num_encoder_levels', 3),
            pixel_decoder=dict(
                type='MSDeformAttnPixelDecoder',
                num_outs=pd.get('num_encoder_levels', 3),
                norm_cfg=dict(type='GN', num_groups=pd.num_groups),
                act_cfg=dict(type='ReLU'),
                encoder=dict(num_layers=pd.num_layers, layer_cfg=dict(
                    self_attn_cfg=dict(embed_dims=feat, num_heads=pd.num_heads,
                                       num_levels=pd.get('num_encoder_levels', 3),
                                       num_points=pd.num_points, dropout=0.0,
                                       batch_first=True),
                    ffn_cfg=ffn(feat, pd.feedforward_dims))),
                positional_encoding=dict(num_feats=feat // 2, normalize=True)),
            enforce_decoder_input_project=head.get('enforce_input_proj', False),
            positional_encoding=dict(num_feats=width // 2, normalize=True),
            transformer_decoder=dict(
                return_intermediate=True, num_layers=td.num_layers,
                layer_cfg=dict(self_attn_cfg=attn, cross_attn_cfg=attn,
                               ffn_cfg=ffn(width, td.feedforward_dims)),
                init_cfg=None),
            loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=False,
                          loss_weight=loss.class_weight, reduction='mean',
                          class_weight=[1.0] * (things + stuff) +
                          [loss.no_object_weight]),
            loss_mask=dict(type='CrossEntropyLoss', use_sigmoid=True,
                           reduction='mean', loss_weight=loss.mask_weight),
            loss_dice=dict(type='DiceLoss', use_sigmoid=True, activate=True,
                           reduction='mean', naive_dice=True, eps=1.0,
                           loss_weight=loss.dice_weight)),
        panoptic_fusion_head=dict(type='MaskFormerFusionHead',
                                  num_things_classes=things,
                                  num_stuff_classes=stuff, loss_panoptic=None,
                                  init_cfg=None),
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
        test_cfg=dict(panoptic_on=test.get('panoptic_on', True),
                      semantic_on=False,  # mmdet's Mask2Former has none
                      instance_on=test.get('instance_on', False),
                      max_per_image=test.get('max_per_image', 100),
                      object_mask_thr=test.get('object_mask_thr', 0.8),
                      iou_thr=test.get('overlap_thr', 0.8),
                      filter_low_score=True),
        init_cfg=None)


def build_mmdet_twin(model_cfg: dict) -> Tuple[nn.Module, nn.Module]:
    """(ours, mmdet's) built from one of our configs, mmdet's weights (its
    own initialisation) converted into ours, strictly; the default scope is
    ours again afterwards."""
    from mmdet.registry import MODELS as MMDET_MODELS
    from m2f_mm.registry import MODELS
    init_default_scope('mmdet')
    ref = MMDET_MODELS.build(mmdet_equivalent_config(model_cfg))
    init_default_scope('m2f_mm')
    ours = MODELS.build(model_cfg)
    ours.load_state_dict(convert_mmdet_state_dict(ref.state_dict()))
    return ours, ref


def mmdet_video_equivalent_config(model_cfg: dict,
                                  num_frames: int = 2) -> ConfigDict:
    """mmdet's ``Mask2FormerVideo`` config for one of our
    ``M2FVideoSegmentor`` configs: the image twin's backbone, pixel decoder,
    transformer decoder, losses and matching in mmdet's
    ``Mask2FormerTrackHead``, with its 3D position embedding."""
    model_cfg = ConfigDict(copy.deepcopy(dict(model_cfg)))
    things = model_cfg.num_things_classes
    image = mmdet_equivalent_config(
        dict(model_cfg, num_stuff_classes=0,
             data_preprocessor=dict(type='DetDataPreprocessor')))
    head = image.panoptic_head
    del head.num_things_classes, head.num_stuff_classes
    head.update(type='Mask2FormerTrackHead', num_classes=things,
                num_frames=num_frames, train_cfg=image.train_cfg,
                positional_encoding=dict(
                    type='SinePositionalEncoding3D',
                    num_feats=head.positional_encoding.num_feats,
                    normalize=True))
    preprocessor = copy.deepcopy(model_cfg.data_preprocessor)
    preprocessor.type = _unscoped(preprocessor.type)
    return ConfigDict(type='Mask2FormerVideo', data_preprocessor=preprocessor,
                      backbone=image.backbone, track_head=head, init_cfg=None)


def build_mmdet_video_twin(model_cfg: dict, num_frames: int = 2
                           ) -> Tuple[nn.Module, nn.Module]:
    """(ours, mmdet's) video models from one of our configs, mmdet's weights
    converted into ours, strictly; our default scope again afterwards."""
    from mmdet.registry import MODELS as MMDET_MODELS
    from m2f_mm.registry import MODELS
    init_default_scope('mmdet')
    ref = MMDET_MODELS.build(mmdet_video_equivalent_config(model_cfg,
                                                           num_frames))
    init_default_scope('m2f_mm')
    ours = MODELS.build(model_cfg)
    ours.load_state_dict(convert_mmdet_state_dict(ref.state_dict()))
    return ours, ref
