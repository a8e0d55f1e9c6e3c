# Mask2Former Swin-L (IN-21k, 384, window 12), ADE20K semantic, 640 crops (the
# paper's Swin-L recipe), 160k iterations.
_base_ = [
    './_base_/models/m2f_r50_semantic.py',
    './_base_/datasets/ade20k_semantic_640.py',
    './_base_/schedules/schedule_poly_160k.py',
    './_base_/default_runtime.py',
    './_base_/models/backbones.py'
]
model = dict(
    data_preprocessor=dict(size={{_base_.crop_size}}),
    backbone={{_base_.backbones.swinl.backbone}},
    decode_head=dict(
        num_classes={{_base_.num_classes}},
        head=dict(in_channels={{_base_.backbones.swinl.in_channels}})))
optim_wrapper = dict(paramwise_cfg=dict(
    custom_keys={{_base_.backbones.swinl.custom_keys}}))
