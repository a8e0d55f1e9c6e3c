# The synthetic shapes scenes as COCO instances (the 5 shape classes), read by
# mmdet's CocoDataset and scored by mask AP.
dataset_type = 'CocoDataset'
data_root = 'data/shapes/'  # written by m2f_mm.datasets.generate
metainfo = dict(
    classes=('circle', 'square', 'triangle', 'star', 'ring'),
    palette=[(220, 20, 60), (119, 11, 32), (0, 0, 142), (0, 60, 100),
             (250, 170, 30)])
num_things_classes = len(metainfo['classes'])  # the model's class counts
num_stuff_classes = 0  # come from here
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
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
# augmentation"). The 128 px scenes at 0.75x, 1x, 1.25x.
tta_short_sides = [96, 128, 160]
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='TestTimeAug', transforms=[
        [dict(type='Resize', scale=(640, s), keep_ratio=True)
         for s in tta_short_sides],
        [dict(type='RandomFlip', prob=1.),
         dict(type='RandomFlip', prob=0.)],
        [dict(type='LoadAnnotations', with_bbox=True, with_mask=True)],
        [dict(type='PackDetInputs',
              meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                         'scale_factor', 'flip', 'flip_direction'))]])
]
train_dataloader = dict(
    batch_size=4,
    num_workers=1,
    persistent_workers=True,
    # iteration-based schedules: an endless stream of shuffled epochs (a
    # DefaultSampler's epoch end costs mmengine's loop a 2 s pause)
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        _scope_='mmdet',  # bare transform names are mmdet's
        type=dataset_type, data_root=data_root, metainfo=metainfo,
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='images/train/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=1),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _scope_='mmdet',  # bare transform names are mmdet's
        type=dataset_type, data_root=data_root, metainfo=metainfo,
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='images/val/'), test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='mmdet.CocoMetric',
                     ann_file=data_root + 'annotations/instances_val.json',
                     metric=['segm'])
test_evaluator = val_evaluator
