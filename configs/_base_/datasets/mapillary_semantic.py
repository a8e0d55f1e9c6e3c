# Mapillary Vistas v1.2 semantic, 65 classes: mmseg's dataset and mIoU, with the
# paper's pipeline (scale jitter 0.5-2.0 of a 2048 short side, 1024 crops, flip,
# colour jitter); test: long side resized to 2048.
_base_ = ['mmseg::_base_/datasets/mapillary_v1_65.py']
crop_size = (1024, 1024)
train_pipeline = [
    dict(type='mmseg.LoadImageFromFile'),
    dict(type='mmseg.LoadAnnotations'),
    dict(type='mmseg.RandomChoiceResize',
         scales=[int(2048 * x * 0.1) for x in range(5, 21)],
         resize_type='mmseg.ResizeShortestEdge', max_size=8192),
    dict(type='mmseg.RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='mmseg.RandomFlip', prob=0.5),
    dict(type='mmseg.PhotoMetricDistortion'),
    dict(type='mmseg.PackSegInputs')
]
test_pipeline = [
    dict(type='mmseg.LoadImageFromFile'),
    dict(type='mmseg.Resize', scale=(2048, 2048), keep_ratio=True),  # long side 2048
    dict(type='mmseg.LoadAnnotations'),
    dict(type='mmseg.PackSegInputs')
]
train_dataloader = dict(batch_size=2,  # x 8 GPUs = the paper's 16
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
