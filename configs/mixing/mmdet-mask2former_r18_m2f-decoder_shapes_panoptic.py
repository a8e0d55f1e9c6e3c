# Mixing, our pixel decoder inside mmdet's own Mask2Former: mmdet's detector,
# head, transformer decoder, assigner, losses and fusion head, with
# m2f_mm's DeformablePixelDecoder as its pixel decoder. mmdet's head reads
# `pixel_decoder.encoder.layer_cfg.self_attn_cfg.num_levels` from the config,
# so the encoder settings are given in mmdet's spelling (`encoder=`), which
# our decoder accepts. Same sizes as the quickstart model; our scope, so
# mmdet's types are named 'mmdet.<Name>' (an mmdet-scoped config would name
# ours 'm2f_mm.DeformablePixelDecoder' after custom_imports=['m2f_mm']).
_base_ = ['../quickstart/m2f_r18_shapes_panoptic.py']
_things = {{_base_.num_things_classes}}
_stuff = {{_base_.num_stuff_classes}}
_class_weight = {{_base_._class_weight}}
_num_points = {{_base_._num_points}}
_width = 128
_ffn = dict(embed_dims=_width, feedforward_channels=256, num_fcs=2,
            ffn_drop=0.0, act_cfg=dict(type='ReLU', inplace=True))
_attn = dict(embed_dims=_width, num_heads=4, dropout=0.0, batch_first=True)
model = dict(
    _delete_=True,
    type='mmdet.Mask2Former',
    data_preprocessor={{_base_.model.data_preprocessor}},
    backbone={{_base_.model.backbone}},
    panoptic_head=dict(
        type='mmdet.Mask2FormerHead',
        in_channels=[64, 128, 256, 512],
        strides=[4, 8, 16, 32],
        feat_channels=_width,
        out_channels=_width,
        num_things_classes=_things,
        num_stuff_classes=_stuff,
        num_queries=20,
        num_transformer_feat_level=3,
        pixel_decoder=dict(
            type='DeformablePixelDecoder',  # ours (this config's scope)
            encoder=dict(num_layers=6, layer_cfg=dict(
                self_attn_cfg=dict(_attn, num_levels=3, num_points=4),
                ffn_cfg=_ffn))),
        enforce_decoder_input_project=False,
        positional_encoding=dict(num_feats=_width // 2, normalize=True),
        transformer_decoder=dict(
            return_intermediate=True, num_layers=3,
            layer_cfg=dict(self_attn_cfg=_attn, cross_attn_cfg=_attn,
                           ffn_cfg=_ffn),
            init_cfg=None),
        loss_cls=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=False,
                      loss_weight=_class_weight, reduction='mean',
                      # 8 shapes classes, then no-object (config arithmetic
                      # cannot use base values; the config test checks it)
                      class_weight=[1.0] * 8 + [0.1]),
        loss_mask=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=True,
                       reduction='mean', loss_weight=5.0),
        loss_dice=dict(type='mmdet.DiceLoss', use_sigmoid=True, activate=True,
                       reduction='mean', naive_dice=True, eps=1.0,
                       loss_weight=5.0)),
    panoptic_fusion_head=dict(type='mmdet.MaskFormerFusionHead',
                              num_things_classes=_things,
                              num_stuff_classes=_stuff, loss_panoptic=None,
                              init_cfg=None),
    train_cfg=dict(
        num_points=_num_points, oversample_ratio=3.0,
        importance_sample_ratio=0.75,
        assigner=dict(type='mmdet.HungarianAssigner', match_costs=[
            dict(type='mmdet.ClassificationCost', weight=_class_weight),
            dict(type='mmdet.CrossEntropyLossCost', weight=5.0,
                 use_sigmoid=True),
            dict(type='mmdet.DiceCost', weight=5.0, pred_act=True, eps=1.0)]),
        sampler=dict(type='mmdet.MaskPseudoSampler')),
    test_cfg=dict(panoptic_on=True, semantic_on=False, instance_on=True,
                  max_per_image=100, object_mask_thr=0.8, iou_thr=0.8,
                  filter_low_score=True),
    init_cfg=None)
# mmdet's Mask2Former has no semantic output: the base's panoptic and
# instance metrics, without its mIoU (files under the base's data_root)
val_evaluator = [
    dict(type='M2FCocoPanopticMetric',
         ann_file='data/shapes/annotations/panoptic_val.json',
         seg_prefix='data/shapes/annotations/panoptic_val/'),
    dict(type='mmdet.CocoMetric',
         ann_file='data/shapes/annotations/instances_val.json',
         metric=['segm'])
]
test_evaluator = val_evaluator
