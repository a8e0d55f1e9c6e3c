# Mapillary Vistas v1.2 panoptic (37 things, 28 stuff, read from its JSON by
# our MapillaryPanopticDataset), scored by PQ (PanopticJsonMetric) and
# mIoU^pan; the paper's recipe: scale jitter 0.5-2.0 of a 2048 short side,
# 1024 crops, flip, colour jitter; test with the long side resized to 2048.
num_things_classes = 37  # our MapillaryPanopticDataset; the model's
num_stuff_classes = 28  # class counts come from here
dataset_type = 'm2f_mm.MapillaryPanopticDataset'
data_root = 'data/mapillary/'
crop_size = (1024, 1024)
train_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='m2f_mm.M2FLoadPanopticAnnotations', with_bbox=True, with_mask=True,
         with_seg=True),
    dict(type='RandomChoiceResize',  # short side 1024-4096, long <= 8192
         scales=[(8192, int(2048 * x * 0.1)) for x in range(5, 21)],
         resize_type='Resize', keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, crop_type='absolute',
         recompute_bbox=True, allow_negative_crop=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 2048), keep_ratio=True),
    dict(type='m2f_mm.M2FLoadPanopticAnnotations', with_bbox=True, with_mask=True,
         with_seg=True),
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
        _scope_='mmdet',  # bare transform names are mmdet's
        type=dataset_type,
        data_root=data_root,
        ann_file='training/v1.2/panoptic/panoptic_2018.json',
        data_prefix=dict(img='training/images/',
                         seg='training/v1.2/panoptic/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _scope_='mmdet',  # bare transform names are mmdet's
        type=dataset_type,
        data_root=data_root,
        ann_file='validation/v1.2/panoptic/panoptic_2018.json',
        data_prefix=dict(img='validation/images/',
                         seg='validation/v1.2/panoptic/'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='PanopticJsonMetric',
         ann_file=data_root + 'validation/v1.2/panoptic/panoptic_2018.json',
         seg_prefix=data_root + 'validation/v1.2/panoptic/'),
    dict(type='DetSemSegIoUMetric', iou_metrics=['mIoU'])  # mIoU^pan
]
test_evaluator = val_evaluator
