# Mask2Former R50, COCO instance, 50 epochs (paper Table 2: AP 43.7).
_base_ = [
    '_base_/models/m2f_r50.py', '_base_/datasets/coco_instance.py',
    '_base_/schedules/schedule_coco_50e.py', '_base_/default_runtime.py'
]
model = dict(
    num_things_classes={{_base_.num_things_classes}},
    num_stuff_classes={{_base_.num_stuff_classes}},
    data_preprocessor=dict(
        pad_seg=False,
        batch_augments=[
            dict(type='mmdet.BatchFixedSizePad', size={{_base_.image_size}},
                 img_pad_value=0, pad_mask=True, mask_pad_value=0,
                 pad_seg=False)
        ]),
    test_cfg=dict(panoptic_on=False, instance_on=True))
