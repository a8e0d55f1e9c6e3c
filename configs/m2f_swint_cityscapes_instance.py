# Mask2Former Swin-T (224, window 7), Cityscapes instance, 512 x 1024 crops,
# 90k iterations.
_base_ = ['./m2f_r50_cityscapes_instance.py', './_base_/models/backbones.py']
model = dict(
    backbone={{_base_.backbones.swint.backbone}},
    head=dict(in_channels={{_base_.backbones.swint.in_channels}}))
optim_wrapper = dict(paramwise_cfg=dict(
    custom_keys={{_base_.backbones.swint.custom_keys}}))
