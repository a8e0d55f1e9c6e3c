# Mask2Former R50, Cityscapes semantic (19 classes), 512 x 1024 crops, 90k
# iterations (paper Table VII: mIoU 79.4).
_base_ = [
    '_base_/models/m2f_r50_semantic.py',
    '_base_/datasets/cityscapes_semantic.py',
    '_base_/schedules/schedule_poly_90k.py', '_base_/default_runtime.py'
]
model = dict(
    # ResNet with SyncBN (trainable, batch statistics) as the official
    # Cityscapes recipes; ADE20K, COCO and Mapillary keep FrozenBN
    backbone=dict(norm_cfg=dict(type='SyncBN', requires_grad=True),
                  norm_eval=False),
    data_preprocessor=dict(size={{_base_.crop_size}}),
    decode_head=dict(num_classes={{_base_.num_classes}}))
