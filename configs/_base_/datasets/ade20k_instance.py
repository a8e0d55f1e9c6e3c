# ADE20K instance (100 thing classes; mmdet's ADE20KInstanceDataset on the
# output of mmdet's ade20k2coco converter), scored by mask AP; the paper's
# ADE20K recipe with 640 crops.
# Transforms are named as in mmdet's configs: these datasets build in mmdet's
# scope (`_scope_='mmdet'`, set by mmdet's base for val/test).
_base_ = ['mmdet::_base_/datasets/ade20k_instance.py']
num_things_classes = 100  # mmdet's ADE20KInstanceDataset; the model's
num_stuff_classes = 0  # class counts come from here
data_root = 'data/ADEChallengeData2016/'  # as mmdet's
crop_size = (640, 640)
train_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomChoiceResize',  # short side 320-1280, long <= 2560
         scales=[(2560, int(640 * x * 0.1)) for x in range(5, 21)],
         resize_type='Resize', keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, crop_type='absolute',
         recompute_bbox=True, allow_negative_crop=True),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-5, 1e-5),
         by_mask=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackDetInputs')
]
train_dataloader = dict(
    batch_size=2,  # x 8 GPUs = the paper's 16
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        _scope_='mmdet',  # as the val/test datasets of mmdet's base
        type='ADE20KInstanceDataset',
        data_root=data_root,
        ann_file='ade20k_instance_train.json',
        data_prefix=dict(img='images/training/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        pipeline=train_pipeline))
val_evaluator = dict(metric=['segm'])  # mask AP
test_evaluator = val_evaluator
# the base's test pipeline, each step naming its scope so that it builds
# from any default scope (mmdet's init_detector + inference_detector, inferencers)
test_pipeline = [dict(step, _scope_='mmdet') for step in [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2560, 640), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor'))
]]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
