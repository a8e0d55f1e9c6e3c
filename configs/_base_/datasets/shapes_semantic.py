# The synthetic shapes scenes as semantic label PNGs (8 classes, 255 ignored),
# read by mmseg's BaseSegDataset and scored by mmseg's mIoU.
dataset_type = 'BaseSegDataset'
data_root = 'data/shapes/'  # written by m2f_mm.datasets.generate
metainfo = dict(
    classes=('circle', 'square', 'triangle', 'star', 'ring', 'sky', 'grass',
             'water'),
    palette=[[220, 20, 60], [119, 11, 32], [0, 0, 142], [0, 60, 100],
             [250, 170, 30], [135, 206, 235], [34, 139, 34], [30, 60, 200]])
num_classes = len(metainfo['classes'])  # the model's class count comes from here
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
# each step names its scope, so that the pipeline builds from any default
# scope (mmseg's init_model + inference_model, inferencers)
test_pipeline = [dict(step, _scope_='mmseg') for step in test_pipeline]

# Test-time augmentation (`tools/test.py --tta`, M2FTTAModel in the runtime
# base): the 128 px scenes at 0.75x, 1x, 1.25x,
# both flips, each view's class-weighted mask
# scores averaged after undoing the flip (README, "Test-time augmentation").
tta_short_sides = [96, 128, 160]
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='TestTimeAug', transforms=[
        [dict(type='Resize', scale=(640, s), keep_ratio=True)
         for s in tta_short_sides],
        [dict(type='RandomFlip', prob=0., direction='horizontal'),
         dict(type='RandomFlip', prob=1., direction='horizontal')],
        [dict(type='LoadAnnotations')],
        [dict(type='PackSegInputs')]])
]
_split = dict(_scope_='mmseg',  # bare transform names are mmseg's
              type=dataset_type, data_root=data_root, metainfo=metainfo,
              img_suffix='.jpg', seg_map_suffix='.png')
train_dataloader = dict(
    batch_size=4,
    num_workers=1,
    persistent_workers=True,
    # iteration-based schedules: an endless stream of shuffled epochs (a
    # DefaultSampler's epoch end costs mmengine's loop a 2 s pause)
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(_split, pipeline=train_pipeline,
                 data_prefix=dict(img_path='images/train',
                                  seg_map_path='annotations/semantic_train')))
val_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(_split, pipeline=test_pipeline, test_mode=True,
                 data_prefix=dict(img_path='images/val',
                                  seg_map_path='annotations/semantic_val')))
test_dataloader = val_dataloader
val_evaluator = dict(type='mmseg.IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
