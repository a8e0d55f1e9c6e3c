# COCO panoptic (mmdet's CocoPanopticDataset), LSJ training (paper Sec. 4.1):
# scale 0.1-2.0 of 1024, 1024 crop, flip; test: short side 800, long <= 1333.
# Scored by PQ and mask AP (and mIoU_pan) from one model.
num_things_classes = 80  # mmdet's CocoPanopticDataset; the model's
num_stuff_classes = 53  # class counts come from here
dataset_type = 'm2f_mm.M2FCocoPanopticDataset'  # mmdet's, bad files named
data_root = 'data/coco/'  # mmdet's layout: train2017/, val2017/, annotations/
image_size = (1024, 1024)  # LSJ crop
backend_args = None
train_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True,
         backend_args=backend_args),
    dict(type='m2f_mm.M2FLoadPanopticAnnotations', with_bbox=True, with_mask=True,
         with_seg=True, backend_args=backend_args),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomResize', scale=image_size, ratio_range=(0.1, 2.0),
         resize_type='Resize',  # mmcv's default Resize drops boxes
         keep_ratio=True),  # large-scale jittering
    dict(type='RandomCrop', crop_size=image_size, crop_type='absolute',
         recompute_bbox=True, allow_negative_crop=True),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True,
         backend_args=backend_args),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
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
# augmentation"). No reference exists for
# panoptic TTA; short sides around the test scale (800), long side <= 5/3
# of them as the test scale (1333 x 800).
tta_short_sides = [600, 800, 1000]
tta_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='TestTimeAug', transforms=[
        [dict(type='Resize', scale=(1667, s), keep_ratio=True)
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
    batch_size=2,  # per GPU; 8 GPUs give the paper's 16
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='mmdet.AspectRatioBatchSampler'),
    dataset=dict(
        _scope_='mmdet',  # bare transform names are mmdet's
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/panoptic_train2017.json',
        data_prefix=dict(img='train2017/',
                         seg='annotations/panoptic_train2017/'),
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
        ann_file='annotations/panoptic_val2017.json',
        data_prefix=dict(img='val2017/', seg='annotations/panoptic_val2017/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='M2FCocoPanopticMetric',  # mmdet's, empty ground truth named
         ann_file=data_root + 'annotations/panoptic_val2017.json',
         seg_prefix=data_root + 'annotations/panoptic_val2017/',
         backend_args=backend_args),
    dict(type='mmdet.CocoMetric',
         ann_file=data_root + 'annotations/instances_val2017.json',
         metric=['bbox', 'segm'],  # box AP from the masks' boxes, as mmdet's
         backend_args=backend_args)
]
test_evaluator = val_evaluator
