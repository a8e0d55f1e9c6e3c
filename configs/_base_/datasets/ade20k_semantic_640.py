# ADE20K semantic with 640 crops (the paper's Swin-L recipe): short side
# 320-1280, long side <= 2560; test short side 640.
# Transforms are named as in mmseg's configs: these datasets build in mmseg's
# scope (`_scope_='mmseg'`, set by mmseg's base).
_base_ = ['./ade20k_semantic.py']
crop_size = (640, 640)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='RandomChoiceResize',
         scales=[int(640 * x * 0.1) for x in range(5, 21)],
         resize_type='ResizeShortestEdge', max_size=2560),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2560, 640), keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs')
]
# each step names its scope, so that the pipeline builds from any default
# scope (mmseg's init_model + inference_model, inferencers)
test_pipeline = [dict(step, _scope_='mmseg') for step in test_pipeline]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
# Test-time augmentation: the official settings at 640 (short sides
# 320-1120, long side <= 4480, flip).
tta_short_sides = [320, 480, 640, 800, 960, 1120]
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='TestTimeAug', transforms=[
        [dict(type='Resize', scale=(4480, s), keep_ratio=True)
         for s in tta_short_sides],
        [dict(type='RandomFlip', prob=0., direction='horizontal'),
         dict(type='RandomFlip', prob=1., direction='horizontal')],
        [dict(type='LoadAnnotations', reduce_zero_label=True)],
        [dict(type='PackSegInputs')]])
]
