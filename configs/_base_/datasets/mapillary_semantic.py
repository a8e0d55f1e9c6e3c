# Mapillary Vistas v1.2 semantic, 65 classes: mmseg's dataset and mIoU, with
# the paper's pipeline (scale jitter 0.5-2.0 of a 2048 short side, 1024 crops,
# flip, colour jitter); test: long side resized to 2048.
# Transforms are named as in mmseg's configs: these datasets build in mmseg's
# scope (`_scope_='mmseg'`, set by mmseg's base).
_base_ = ['mmseg::_base_/datasets/mapillary_v1_65.py']
num_classes = 65  # mmseg's MapillaryDataset_v1 (65 classes); the model takes its class count from here
crop_size = (1024, 1024)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomChoiceResize',
         scales=[int(2048 * x * 0.1) for x in range(5, 21)],
         resize_type='ResizeShortestEdge', max_size=8192),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 2048),
         keep_ratio=True),  # long side 2048
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
# each step names its scope, so that the pipeline builds from any default
# scope (mmseg's init_model + inference_model, inferencers)
test_pipeline = [dict(step, _scope_='mmseg') for step in test_pipeline]
train_dataloader = dict(batch_size=2,  # x 8 GPUs = the paper's 16
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
# No test-time augmentation for Mapillary (the paper reports none): mmseg's
# base's, relative to its own test scale, is not inherited.
tta_pipeline = None
