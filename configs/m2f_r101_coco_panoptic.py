# Mask2Former R101, COCO panoptic, 50 epochs.
_base_ = ['./m2f_r50_coco_panoptic.py', './_base_/models/backbones.py']
model = dict(
    backbone={{_base_.backbones.r101.backbone}},
    head=dict(in_channels={{_base_.backbones.r101.in_channels}}))
