# Mask2Former R101, ADE20K instance, 640 crops, 160k iterations.
_base_ = ['./m2f_r50_ade20k_instance.py', './_base_/models/backbones.py']
model = dict(
    backbone={{_base_.backbones.r101.backbone}},
    head=dict(in_channels={{_base_.backbones.r101.in_channels}}))
