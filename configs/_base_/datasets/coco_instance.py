# COCO instance segmentation (mmdet's CocoDataset), LSJ training as for
# panoptic; scored by mask AP.
num_things_classes = 80  # mmdet's CocoDataset; the model's
num_stuff_classes = 0  # class counts come from here
dataset_type = 'CocoDataset'
data_root = 'data/coco/'
image_size = (1024, 1024)
backend_args = None
train_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True,
         backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomResize', scale=image_size, ratio_range=(0.1, 2.0),
         resize_type='Resize',  # mmdet's (mmcv's drops boxes)
         keep_ratio=True),
    dict(type='RandomCrop', crop_size=image_size, crop_type='absolute',
         recompute_bbox=True, allow_negative_crop=True),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-5, 1e-5),
         by_mask=True),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True,
         backend_args=backend_args),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor'))
]
# each step names its scope, so that the pipeline builds from any default
# scope (mmdet's init_detector + inference_detector, inferencers)
test_pipeline = [dict(step, _scope_='mmdet') for step in test_pipeline]

# Test-time augmentation (`tools/test.py --tta`, M2FTTAModel in the runtime
# base): every scale x both flips, merged per query (README, "Test-time
# augmentation"). No reference exists for
# instance TTA; short sides around the test scale (800), long side <= 5/3
# of them as the test scale (1333 x 800).
tta_short_sides = [600, 800, 1000]
tta_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='TestTimeAug', transforms=[
        [dict(type='Resize', scale=(1667, s), keep_ratio=True)
         for s in tta_short_sides],
        [dict(type='RandomFlip', prob=1.),
         dict(type='RandomFlip', prob=0.)],
        [dict(type='LoadAnnotations', with_bbox=True, with_mask=True)],
        [dict(type='PackDetInputs',
              meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                         'scale_factor', 'flip', 'flip_direction'))]])
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='mmdet.AspectRatioBatchSampler'),
    dataset=dict(
        _scope_='mmdet',  # bare transform names are mmdet's
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/instances_train2017.json',
        data_prefix=dict(img='train2017/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        pipeline=train_pipeline,
        backend_args=backend_args))
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
        ann_file='annotations/instances_val2017.json',
        data_prefix=dict(img='val2017/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader
val_evaluator = dict(type='mmdet.CocoMetric',
                     ann_file=data_root + 'annotations/instances_val2017.json',
                     metric=['bbox', 'segm'],  # box AP from the masks' boxes, as mmdet's
                     backend_args=backend_args)
test_evaluator = val_evaluator
