# Mask2Former Swin-B (IN-21k, 384, window 12), ADE20K instance, 640 crops, 160k
# iterations.
_base_ = ['./m2f_r50_ade20k_instance.py', './_base_/models/backbones.py']
model = dict(
    backbone={{_base_.backbones.swinb.backbone}},
    head=dict(in_channels={{_base_.backbones.swinb.in_channels}}))
optim_wrapper = dict(paramwise_cfg=dict(
    custom_keys={{_base_.backbones.swinb.custom_keys}}))
