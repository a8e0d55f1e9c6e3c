# Mask2Former Swin-L (IN-21k, 384, window 12), Mapillary Vistas panoptic, 1024
# crops, 300k iterations; 200 queries (paper App. B).
_base_ = ['./m2f_r50_mapillary_panoptic.py', './_base_/models/backbones.py']
model = dict(
    backbone={{_base_.backbones.swinl.backbone}},
    head=dict(in_channels={{_base_.backbones.swinl.in_channels}},
              num_queries=200))
optim_wrapper = dict(paramwise_cfg=dict(
    custom_keys={{_base_.backbones.swinl.custom_keys}}))
