# Mixing, our pixel decoder as a neck: mmseg's UPerNet (EncoderDecoder with
# UPerHead) with m2f_mm's DeformableNeck in place of an FPN. The neck returns
# one map per backbone stage, highest resolution first, all of out_channels:
# the lateral step's 1/4 map, then the deformable-attention encoder's 1/8,
# 1/16 and 1/32 maps (m2f_mm/models/pixel_decoders/deformable_neck.py).
_base_ = ['../quickstart/m2f_r18_shapes_semantic.py']
_width = 128
model = dict(
    _delete_=True,
    type='mmseg.EncoderDecoder',
    data_preprocessor={{_base_.model.data_preprocessor}},
    backbone={{_base_.model.backbone}},
    neck=dict(type='DeformableNeck', in_channels=[64, 128, 256, 512],
              out_channels=_width, num_heads=4, feedforward_dims=256),
    decode_head=dict(
        type='mmseg.UPerHead',
        in_channels=[_width] * 4,
        in_index=[0, 1, 2, 3],
        pool_scales=(1, 2, 3, 6),
        channels=_width,
        dropout_ratio=0.1,
        num_classes={{_base_.num_classes}},
        norm_cfg=dict(type='BN', requires_grad=True),
        align_corners=False,
        loss_decode=dict(type='mmseg.CrossEntropyLoss', use_sigmoid=False,
                         loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
