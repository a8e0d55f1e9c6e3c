# Quickstart, semantic task: the quickstart model inside mmseg's EncoderDecoder
# on the shapes scenes' label PNGs (8 classes), scored by mmseg's mIoU.
_base_ = [
    '../_base_/models/m2f_r50_semantic.py',
    '../_base_/datasets/shapes_semantic.py',
    '../_base_/schedules/schedule_quickstart.py',
    '../_base_/models/quickstart_parts.py'
]
model = dict(
    data_preprocessor=dict(size=None, size_divisor=32),  # whole 128 px scenes
    backbone={{_base_.quickstart.backbone}},
    decode_head=dict(num_classes={{_base_.num_classes}},
                     head={{_base_.quickstart.head}}))
