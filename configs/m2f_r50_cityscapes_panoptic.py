# Mask2Former R50, Cityscapes panoptic (8 things, 11 stuff), 512 x 1024 crops,
# 90k iterations; PQ (cityscapesscripts) and mIoU^pan (paper Table VII:
# PQ 62.1).
_base_ = [
    '_base_/models/m2f_r50.py', '_base_/datasets/cityscapes_panoptic.py',
    '_base_/schedules/schedule_poly_90k.py', '_base_/default_runtime.py'
]
model = dict(
    # ResNet with SyncBN (trainable, batch statistics) as the official
    # Cityscapes recipes; ADE20K, COCO and Mapillary keep FrozenBN
    backbone=dict(norm_cfg=dict(type='SyncBN', requires_grad=True),
                  norm_eval=False),
    num_things_classes={{_base_.num_things_classes}},
    num_stuff_classes={{_base_.num_stuff_classes}},
    test_cfg=dict(panoptic_on=True, instance_on=True,
                  semantic_on=True))
