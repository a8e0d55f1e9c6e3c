# Mask2Former with a ResNet-50, mmseg side (semantic): mmseg's EncoderDecoder
# around M2FDecodeHead, the same backbone and head as the mmdet-side model.
_base_ = './m2f_r50.py'
num_classes = 150  # ADE20K; each dataset config sets its own
model = dict(
    _delete_=True,  # mmseg's segmentor instead of M2FDetector
    type='mmseg.EncoderDecoder',
    data_preprocessor=dict(
        type='mmseg.SegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,  # padding is ignored by the loss
        size=(512, 512),  # crops padded to this size; each config sets it
        test_cfg=dict(size_divisor=32)),
    backbone={{_base_.model.backbone}},
    decode_head=dict(
        type='m2f_mm.M2FDecodeHead',
        num_classes=num_classes,
        ignore_index=255,
        head={{_base_.model.head}}),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))  # whole-image inference, as the paper
