# Mask2Former R50, Cityscapes instance (8 things), 512 x 1024 crops, 90k
# iterations (paper Table VII: AP 37.4).
_base_ = [
    '_base_/models/m2f_r50.py', '_base_/datasets/cityscapes_instance.py',
    '_base_/schedules/schedule_poly_90k.py', '_base_/default_runtime.py'
]
model = dict(num_things_classes=8, num_stuff_classes=0,
             data_preprocessor=dict(pad_seg=False),
             test_cfg=dict(panoptic_on=False, instance_on=True))
