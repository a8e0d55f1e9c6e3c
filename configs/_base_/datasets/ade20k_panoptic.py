# ADE20K panoptic (100 things, 50 stuff; mmdet's ADE20KPanopticDataset on the
# output of mmdet's ade20k2coco converter), scored by PQ, mask AP on the
# instance annotations and mIoU from one model (the paper's three numbers).
# Training as the paper's ADE20K recipe with 640 crops for every backbone.
# Transforms are named as in mmdet's configs: these datasets build in mmdet's
# scope (`_scope_='mmdet'`, set by mmdet's base for val/test).
_base_ = ['mmdet::_base_/datasets/ade20k_panoptic.py']
num_things_classes = 100  # mmdet's ADE20KPanopticDataset; the model's
num_stuff_classes = 50  # class counts come from here
data_root = 'data/ADEChallengeData2016/'  # as mmdet's
crop_size = (640, 640)
train_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='m2f_mm.M2FLoadPanopticAnnotations', with_bbox=True,
         with_mask=True, with_seg=True),
    dict(type='RandomChoiceResize',  # short side 320-1280, long <= 2560
         scales=[(2560, int(640 * x * 0.1)) for x in range(5, 21)],
         resize_type='Resize', keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, crop_type='absolute',
         recompute_bbox=True, allow_negative_crop=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2560, 640), keep_ratio=True),
    dict(type='m2f_mm.M2FLoadPanopticAnnotations', with_bbox=True,
         with_mask=True, with_seg=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor'))
]
# each step names its scope, so that the pipeline builds from any default
# scope (mmdet's init_detector + inference_detector, inferencers)
test_pipeline = [dict(step, _scope_='mmdet') for step in test_pipeline]
train_dataloader = dict(
    batch_size=2,  # x 8 GPUs = the paper's 16
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        _scope_='mmdet',  # as the val/test datasets of mmdet's base
        type='ADE20KPanopticDataset',
        data_root=data_root,
        ann_file='ade20k_panoptic_train.json',
        data_prefix=dict(img='images/training/', seg='ade20k_panoptic_train/'),
        filter_cfg=dict(filter_empty_gt=False),
        pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='mmdet.CocoPanopticMetric',
         ann_file=data_root + 'ade20k_panoptic_val.json',
         seg_prefix=data_root + 'ade20k_panoptic_val/'),
    dict(type='mmdet.CocoMetric',  # AP^pan on the instance annotations
         ann_file=data_root + 'ade20k_instance_val.json',
         metric=['segm']),
    dict(type='DetSemSegIoUMetric', iou_metrics=['mIoU'])  # mIoU^pan
]
test_evaluator = val_evaluator
