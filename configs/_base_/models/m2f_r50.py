# Mask2Former with a ResNet-50, mmdet side (panoptic + instance); paper Sec. 3-4.
num_things_classes = 80  # COCO
num_stuff_classes = 53
num_points = 12544  # K = 112 x 112 points per mask for matching and losses
class_weight, mask_weight, dice_weight = 2.0, 5.0, 5.0  # loss weights = match-cost weights
data_preprocessor = dict(
    type='mmdet.DetDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_size_divisor=32,
    pad_mask=True,  # masks padded with 0 to the batch size
    mask_pad_value=0,
    pad_seg=True,  # semantic maps padded with 255 (ignored)
    seg_pad_value=255)
model = dict(
    type='M2FDetector',
    data_preprocessor=data_preprocessor,
    num_things_classes=num_things_classes,
    num_stuff_classes=num_stuff_classes,
    backbone=dict(
        type='mmdet.ResNet',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=False),
        norm_eval=True,
        style='pytorch',
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    head=dict(
        type='M2FHead',
        in_channels=[256, 512, 1024, 2048],  # backbone channels, 1/4 .. 1/32
        num_queries=100,
        feat_channels=256,
        embed_dims=256,
        mask_dims=256,
        pixel_decoder=dict(
            type='DeformablePixelDecoder',
            num_encoder_levels=3,  # 1/8, 1/16, 1/32
            num_layers=6,
            num_heads=8,
            num_points=4,
            feedforward_dims=1024,
            num_groups=32),
        transformer_decoder=dict(
            type='MaskedAttentionDecoder',
            num_layers=9,  # 3 rounds over 1/32, 1/16, 1/8
            num_heads=8,
            feedforward_dims=2048),
        loss=dict(
            type='MaskSetLoss',
            class_weight=class_weight,
            mask_weight=mask_weight,
            dice_weight=dice_weight,
            no_object_weight=0.1,
            num_points=num_points,
            oversample_ratio=3.0,
            importance_sample_ratio=0.75,
            assigner=dict(
                type='PointHungarianAssigner',
                num_points=num_points,
                match_costs=[
                    dict(type='ClassProbCost', weight=class_weight),
                    dict(type='PointBCECost', weight=mask_weight),
                    dict(type='PointDiceCost', weight=dice_weight)
                ]))),
    test_cfg=dict(
        panoptic_on=True,
        instance_on=True,
        semantic_on=False,
        object_mask_thr=0.8,
        overlap_thr=0.8,
        max_per_image=100))
