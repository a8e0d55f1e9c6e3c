# Mask2Former R50, Mapillary Vistas v1.2 panoptic (37 things, 28 stuff), 1024
# crops, 300k iterations; PQ and mIoU^pan (paper Table IX).
_base_ = [
    '_base_/models/m2f_r50.py', '_base_/datasets/mapillary_panoptic.py',
    '_base_/schedules/schedule_poly_300k.py', '_base_/default_runtime.py'
]
model = dict(num_things_classes={{_base_.num_things_classes}},
             num_stuff_classes={{_base_.num_stuff_classes}},
             test_cfg=dict(panoptic_on=True, instance_on=True,
                           semantic_on=True))
