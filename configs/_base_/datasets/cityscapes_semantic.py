# Cityscapes semantic, 19 classes: mmseg's dataset, loaders and mIoU, with the
# paper's pipeline (short side 512-2048, long side <= 4096, 512 x 1024 crops,
# flip, colour jitter); test: the whole 1024 x 2048 image.
_base_ = ['mmseg::_base_/datasets/cityscapes.py']
crop_size = (512, 1024)
train_pipeline = [
    dict(type='mmseg.LoadImageFromFile'),
    dict(type='mmseg.LoadAnnotations'),
    dict(type='mmseg.RandomChoiceResize',
         scales=[int(1024 * x * 0.1) for x in range(5, 21)],
         resize_type='mmseg.ResizeShortestEdge', max_size=4096),
    dict(type='mmseg.RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='mmseg.RandomFlip', prob=0.5),
    dict(type='mmseg.PhotoMetricDistortion'),
    dict(type='mmseg.PackSegInputs')
]
train_dataloader = dict(batch_size=2,  # x 8 GPUs = the paper's 16
                        dataset=dict(pipeline=train_pipeline))
