# Mask2Former R50, ADE20K semantic (150 classes), 512 crops, 160k iterations
# (paper Table 3: mIoU 47.2 single-scale).
_base_ = [
    '_base_/models/m2f_r50_semantic.py', '_base_/datasets/ade20k_semantic.py',
    '_base_/schedules/schedule_poly_160k.py', '_base_/default_runtime.py'
]
model = dict(data_preprocessor=dict(size={{_base_.crop_size}}),
             decode_head=dict(num_classes={{_base_.num_classes}}))
