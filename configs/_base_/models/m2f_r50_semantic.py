# Mask2Former with a ResNet-50, mmseg side (semantic): mmseg's EncoderDecoder
# around M2FDecodeHead, with the same parts as the mmdet side; the class count
# comes from the dataset base.
_base_ = ['./m2f_parts.py']
model = dict(
    type='mmseg.EncoderDecoder',
    data_preprocessor=dict(
        type='mmseg.SegDataPreProcessor',
        mean={{_base_.pixel_mean}},
        std={{_base_.pixel_std}},
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,  # padding is ignored by the loss
        size=(512, 512),  # crops padded to this size; each config sets it
        test_cfg=dict(size_divisor=32)),
    backbone={{_base_.r50_backbone}},
    decode_head=dict(
        # our scope inside the head also where mmseg's is the default
        # (mmseg's MMSegInferencer and init_model build in mmseg's scope)
        _scope_='m2f_mm',
        type='M2FDecodeHead',
        ignore_index=255,  # = seg_pad_val
        head={{_base_.m2f_head}}),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))  # whole-image inference, as the paper
visualizer = dict(type='mmseg.SegLocalVisualizer',  # draws SegDataSamples
                  vis_backends=[dict(type='LocalVisBackend')],
                  name='visualizer')
