# Mask2Former R50, Cityscapes instance (8 things), 512 x 1024 crops, 90k
# iterations (paper Table VII: AP 37.4).
_base_ = [
    '_base_/models/m2f_r50.py', '_base_/datasets/cityscapes_instance.py',
    '_base_/schedules/schedule_poly_90k.py', '_base_/default_runtime.py'
]
model = dict(
    # ResNet with SyncBN (trainable, batch statistics) as the official
    # Cityscapes recipes; ADE20K, COCO and Mapillary keep FrozenBN
    backbone=dict(norm_cfg=dict(type='SyncBN', requires_grad=True),
                  norm_eval=False),
    num_things_classes={{_base_.num_things_classes}},
    num_stuff_classes={{_base_.num_stuff_classes}},
    data_preprocessor=dict(pad_seg=False),
    test_cfg=dict(panoptic_on=False, instance_on=True))
