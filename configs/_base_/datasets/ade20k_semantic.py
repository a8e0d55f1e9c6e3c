# ADE20K semantic, 150 classes: mmseg's dataset, loaders and mIoU, with the
# paper's training pipeline (short side 256-1024, long side <= 2048, 512 crops,
# flip, colour jitter); test: short side 512, whole image.
_base_ = ['mmseg::_base_/datasets/ade20k.py']
crop_size = (512, 512)  # 640 for Swin-L (its config)
train_pipeline = [
    dict(type='mmseg.LoadImageFromFile'),
    dict(type='mmseg.LoadAnnotations', reduce_zero_label=True),
    dict(type='mmseg.RandomChoiceResize',
         scales=[int(crop_size[0] * x * 0.1) for x in range(5, 21)],
         resize_type='mmseg.ResizeShortestEdge', max_size=2048),
    dict(type='mmseg.RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='mmseg.RandomFlip', prob=0.5),
    dict(type='mmseg.PhotoMetricDistortion'),
    dict(type='mmseg.PackSegInputs')
]
train_dataloader = dict(batch_size=2,  # x 8 GPUs = the paper's 16
                        dataset=dict(pipeline=train_pipeline))
