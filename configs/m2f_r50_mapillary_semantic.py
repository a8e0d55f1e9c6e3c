# Mask2Former R50, Mapillary Vistas v1.2 semantic (65 classes), 1024 crops,
# 300k iterations (paper Table IX).
_base_ = [
    '_base_/models/m2f_r50_semantic.py',
    '_base_/datasets/mapillary_semantic.py',
    '_base_/schedules/schedule_poly_300k.py', '_base_/default_runtime.py'
]
model = dict(data_preprocessor=dict(size={{_base_.crop_size}}),
             decode_head=dict(num_classes={{_base_.num_classes}}))
