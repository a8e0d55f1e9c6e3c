# Mask2Former R50, ADE20K panoptic (100 things, 50 stuff), 640 crops, 160k
# iterations; PQ, AP^pan and mIoU^pan from one model (paper Table VIII).
_base_ = [
    '_base_/models/m2f_r50.py', '_base_/datasets/ade20k_panoptic.py',
    '_base_/schedules/schedule_poly_160k.py', '_base_/default_runtime.py'
]
model = dict(num_things_classes={{_base_.num_things_classes}},
             num_stuff_classes={{_base_.num_stuff_classes}},
             test_cfg=dict(panoptic_on=True, instance_on=True,
                           semantic_on=True))
