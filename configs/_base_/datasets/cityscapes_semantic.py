# Cityscapes semantic, 19 classes: mmseg's dataset, loaders and mIoU, with the
# paper's pipeline (short side 512-2048, long side <= 4096, 512 x 1024 crops,
# flip, colour jitter); test: the whole 1024 x 2048 image.
# Transforms are named as in mmseg's configs: these datasets build in mmseg's
# scope (`_scope_='mmseg'`, set by mmseg's base).
_base_ = ['mmseg::_base_/datasets/cityscapes.py']
num_classes = 19  # mmseg's CityscapesDataset; the model takes its class count from here
crop_size = (512, 1024)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomChoiceResize',
         scales=[int(1024 * x * 0.1) for x in range(5, 21)],
         resize_type='ResizeShortestEdge', max_size=4096),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=2,  # x 8 GPUs = the paper's 16
                        dataset=dict(pipeline=train_pipeline))
# Test-time augmentation (`tools/test.py --tta`, M2FTTAModel in the runtime
# base): the official settings (short sides
# 512-1792, long side <= 4096, flip), each view's class-weighted mask
# scores averaged after undoing the flip (README, "Test-time augmentation").
tta_short_sides = [512, 768, 1024, 1280, 1536, 1792]
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='TestTimeAug', transforms=[
        [dict(type='Resize', scale=(4096, s), keep_ratio=True)
         for s in tta_short_sides],
        [dict(type='RandomFlip', prob=0., direction='horizontal'),
         dict(type='RandomFlip', prob=1., direction='horizontal')],
        [dict(type='LoadAnnotations')],
        [dict(type='PackSegInputs')]])
]
# the base's test pipeline, each step naming its scope so that it builds
# from any default scope (mmseg's init_model + inference_model, inferencers)
test_pipeline = [dict(step, _scope_='mmseg') for step in [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 1024), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
