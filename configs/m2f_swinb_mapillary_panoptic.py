# Mask2Former Swin-B (IN-21k, 384, window 12), Mapillary Vistas panoptic, 1024
# crops, 300k iterations.
_base_ = ['./m2f_r50_mapillary_panoptic.py', './_base_/models/backbones.py']
model = dict(
    backbone={{_base_.backbones.swinb.backbone}},
    head=dict(in_channels={{_base_.backbones.swinb.in_channels}}))
optim_wrapper = dict(paramwise_cfg=dict(
    custom_keys={{_base_.backbones.swinb.custom_keys}}))
