# The built-in synthetic shapes scenes (m2f_mm.datasets.synthetic_shapes), read by
# mmdet's CocoPanopticDataset and scored by PQ, mask AP and mIoU from one model.
dataset_type = 'm2f_mm.M2FCocoPanopticDataset'  # mmdet's, bad files named
data_root = 'data/shapes/'  # written by m2f_mm.datasets.generate
image_size = 128
metainfo = dict(
    classes=('circle', 'square', 'triangle', 'star', 'ring', 'sky', 'grass',
             'water'),
    thing_classes=('circle', 'square', 'triangle', 'star', 'ring'),
    stuff_classes=('sky', 'grass', 'water'),
    palette=[(220, 20, 60), (119, 11, 32), (0, 0, 142), (0, 60, 100),
             (250, 170, 30), (135, 206, 235), (34, 139, 34), (30, 60, 200)])
num_things_classes = len(metainfo['thing_classes'])  # the model's class
num_stuff_classes = len(metainfo['stuff_classes'])  # counts come from here
backend_args = None
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='m2f_mm.M2FLoadPanopticAnnotations', with_bbox=True, with_mask=True,
         with_seg=True, backend_args=backend_args),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='m2f_mm.M2FLoadPanopticAnnotations', with_bbox=True, with_mask=True,
         with_seg=True, backend_args=backend_args),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor', 'seg_map_path'))
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
        [dict(type='m2f_mm.M2FLoadPanopticAnnotations', with_bbox=True,
               with_mask=True, with_seg=True)],
        [dict(type='PackDetInputs',
              meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                         'scale_factor', 'seg_map_path', 'flip', 'flip_direction'))]])
]
train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    # iteration-based schedules: an endless stream of shuffled epochs (a
    # DefaultSampler's epoch end costs mmengine's loop a 2 s pause)
    sampler=dict(type='InfiniteSampler', shuffle=True),
    batch_sampler=None,
    dataset=dict(
        _scope_='mmdet',  # bare transform names are mmdet's
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/panoptic_train.json',
        data_prefix=dict(img='images/train/',
                         seg='annotations/panoptic_train/'),
        filter_cfg=dict(filter_empty_gt=False, min_size=1),
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _scope_='mmdet',  # bare transform names are mmdet's
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/panoptic_val.json',
        data_prefix=dict(img='images/val/', seg='annotations/panoptic_val/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='M2FCocoPanopticMetric',  # mmdet's, empty ground truth named
         ann_file=data_root + 'annotations/panoptic_val.json',
         seg_prefix=data_root + 'annotations/panoptic_val/',
         backend_args=backend_args),
    dict(type='mmdet.CocoMetric',
         ann_file=data_root + 'annotations/instances_val.json',
         metric=['segm'], backend_args=backend_args),
    dict(type='DetSemSegIoUMetric', iou_metrics=['mIoU'])
]
test_evaluator = val_evaluator
