# Mask2Former R50, Cityscapes semantic (19 classes), 512 x 1024 crops, 90k
# iterations (paper Table VII: mIoU 79.4).
_base_ = [
    '_base_/models/m2f_r50_semantic.py',
    '_base_/datasets/cityscapes_semantic.py',
    '_base_/schedules/schedule_poly_90k.py', '_base_/semantic_runtime.py'
]
model = dict(data_preprocessor=dict(size=(512, 1024)),
             decode_head=dict(num_classes=19))
