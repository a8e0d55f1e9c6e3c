# Mask2Former Swin-T (224, window 7), ADE20K semantic, 512 crops, 160k
# iterations.
_base_ = ['./m2f_r50_ade20k_semantic.py', './_base_/models/backbones.py']
model = dict(
    backbone={{_base_.backbones.swint.backbone}},
    decode_head=dict(head=dict(
        in_channels={{_base_.backbones.swint.in_channels}})))
optim_wrapper = dict(paramwise_cfg=dict(
    custom_keys={{_base_.backbones.swint.custom_keys}}))
