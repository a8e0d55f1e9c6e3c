# Mask2Former R50, ADE20K instance (100 things), 640 crops, 160k iterations
# (paper Table VIII).
_base_ = [
    '_base_/models/m2f_r50.py', '_base_/datasets/ade20k_instance.py',
    '_base_/schedules/schedule_poly_160k.py', '_base_/default_runtime.py'
]
model = dict(num_things_classes={{_base_.num_things_classes}},
             num_stuff_classes={{_base_.num_stuff_classes}},
             data_preprocessor=dict(pad_seg=False),
             test_cfg=dict(panoptic_on=False, instance_on=True))
