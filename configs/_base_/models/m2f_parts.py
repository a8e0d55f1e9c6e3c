# Mask2Former's parts with a ResNet-50, shared by both framework faces
# (m2f_r50.py: mmdet's detector side; m2f_r50_semantic.py: mmseg's
# EncoderDecoder): paper Sec. 3-4. Each face picks them with
# backbone={{_base_.r50_backbone}} and head={{_base_.m2f_head}}.
num_points = 12544  # K = 112 x 112 points per mask for matching and losses
# loss weights, and the same variables weigh the match costs
class_weight, mask_weight, dice_weight = 2.0, 5.0, 5.0
pixel_mean = [123.675, 116.28, 103.53]  # ImageNet, RGB
pixel_std = [58.395, 57.12, 57.375]
r50_backbone = dict(
    type='mmdet.ResNet',
    depth=50,
    num_stages=4,
    out_indices=(0, 1, 2, 3),
    frozen_stages=-1,
    norm_cfg=dict(type='BN', requires_grad=False),  # FrozenBN (official
    norm_eval=True,  # COCO, ADE20K, Mapillary recipes; Cityscapes: SyncBN)
    style='pytorch',
    init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50'))
m2f_head = dict(
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
        num_groups=32,
        with_cp=True),  # recompute encoder layers in backward: less memory
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
            # named, so that a config can change one cost's weight
            match_costs=dict(
                classification=dict(type='ClassProbCost', weight=class_weight),
                mask=dict(type='PointBCECost', weight=mask_weight),
                dice=dict(type='PointDiceCost', weight=dice_weight)))))
