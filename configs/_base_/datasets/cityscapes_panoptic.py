# Cityscapes panoptic (8 things, 11 stuff) as cityscapesscripts'
# createPanopticImgs writes it, read by our CityscapesPanopticDataset and
# scored by cityscapesscripts' PQ (PanopticJsonMetric) and mIoU^pan; the
# paper's 512 x 1024 crops, whole 1024 x 2048 test images.
num_things_classes = 8  # our CityscapesPanopticDataset; the model's
num_stuff_classes = 11  # class counts come from here
dataset_type = 'm2f_mm.CityscapesPanopticDataset'
data_root = 'data/cityscapes/'
crop_size = (1024, 512)  # mmdet's RandomCrop takes (w, h): 512 x 1024 crops
train_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='m2f_mm.M2FLoadPanopticAnnotations', with_bbox=True, with_mask=True,
         with_seg=True),
    dict(type='RandomChoiceResize',  # short side 512-2048, long <= 4096
         scales=[(4096, int(1024 * x * 0.1)) for x in range(5, 21)],
         resize_type='Resize', keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, crop_type='absolute',
         recompute_bbox=True, allow_negative_crop=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
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
        ann_file='gtFine/cityscapes_panoptic_train.json',
        data_prefix=dict(img='leftImg8bit/train/',
                         seg='gtFine/cityscapes_panoptic_train/'),
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
        ann_file='gtFine/cityscapes_panoptic_val.json',
        data_prefix=dict(img='leftImg8bit/val/',
                         seg='gtFine/cityscapes_panoptic_val/'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='PanopticJsonMetric',
         ann_file=data_root + 'gtFine/cityscapes_panoptic_val.json',
         seg_prefix=data_root + 'gtFine/cityscapes_panoptic_val/'),
    dict(type='DetSemSegIoUMetric', iou_metrics=['mIoU'])  # mIoU^pan
]
test_evaluator = val_evaluator
