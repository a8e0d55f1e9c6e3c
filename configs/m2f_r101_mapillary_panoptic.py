# Mask2Former R101, Mapillary Vistas panoptic, 1024 crops, 300k iterations.
_base_ = ['./m2f_r50_mapillary_panoptic.py', './_base_/models/backbones.py']
model = dict(
    backbone={{_base_.backbones.r101.backbone}},
    head=dict(in_channels={{_base_.backbones.r101.in_channels}}))
