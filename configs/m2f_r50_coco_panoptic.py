# Mask2Former R50, COCO panoptic, 50 epochs (paper Table 1: PQ 51.9).
_base_ = [
    '_base_/models/m2f_r50.py', '_base_/datasets/coco_panoptic.py',
    '_base_/schedules/schedule_coco_50e.py', '_base_/default_runtime.py'
]
model = dict(
    num_things_classes={{_base_.num_things_classes}},
    num_stuff_classes={{_base_.num_stuff_classes}},
    data_preprocessor=dict(batch_augments=[
        dict(type='mmdet.BatchFixedSizePad', size={{_base_.image_size}},
             img_pad_value=0,
             pad_mask=True, mask_pad_value=0, pad_seg=True, seg_pad_value=255)
    ]))
