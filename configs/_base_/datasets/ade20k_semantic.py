# ADE20K semantic, 150 classes: mmseg's dataset, loaders and mIoU, with the
# paper's training pipeline (short side 256-1024, long side <= 2048, 512 crops,
# flip, colour jitter); test: short side 512, whole image.
# Transforms are named as in mmseg's configs: these datasets build in mmseg's
# scope (`_scope_='mmseg'`, set by mmseg's base).
_base_ = ['mmseg::_base_/datasets/ade20k.py']
num_classes = 150  # mmseg's ADE20KDataset; the model takes its class count from here
crop_size = (512, 512)  # 640 for Swin-L (its config)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='RandomChoiceResize',
         scales=[int(crop_size[0] * x * 0.1) for x in range(5, 21)],
         resize_type='ResizeShortestEdge', max_size=2048),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=2,  # x 8 GPUs = the paper's 16
                        dataset=dict(pipeline=train_pipeline))
# Test-time augmentation (`tools/test.py --tta`, M2FTTAModel in the runtime
# base): the official settings (short sides
# 256-896, long side <= 3584, flip), each view's class-weighted mask
# scores averaged after undoing the flip (README, "Test-time augmentation").
tta_short_sides = [256, 384, 512, 640, 768, 896]
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='TestTimeAug', transforms=[
        [dict(type='Resize', scale=(3584, s), keep_ratio=True)
         for s in tta_short_sides],
        [dict(type='RandomFlip', prob=0., direction='horizontal'),
         dict(type='RandomFlip', prob=1., direction='horizontal')],
        [dict(type='LoadAnnotations', reduce_zero_label=True)],
        [dict(type='PackSegInputs')]])
]
# the base's test pipeline, each step naming its scope so that it builds
# from any default scope (mmseg's init_model + inference_model, inferencers)
test_pipeline = [dict(step, _scope_='mmseg') for step in [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 512), keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs')
]]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
