# Mask2Former R50, Cityscapes panoptic (8 things, 11 stuff), 512 x 1024 crops,
# 90k iterations; PQ (cityscapesscripts) and mIoU^pan (paper Table VII:
# PQ 62.1).
_base_ = [
    '_base_/models/m2f_r50.py', '_base_/datasets/cityscapes_panoptic.py',
    '_base_/schedules/schedule_poly_90k.py', '_base_/default_runtime.py'
]
model = dict(num_things_classes=8, num_stuff_classes=11,
             test_cfg=dict(panoptic_on=True, instance_on=True,
                           semantic_on=True))
