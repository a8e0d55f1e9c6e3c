# YouTube-VIS 2019 (40 classes) as mmdet's Mask2Former-VIS configs read it:
# mmdet's YouTubeVISDataset on the annotations converted by mmdet's
# tools/dataset_converters/youtubevis2coco.py (data/youtube_vis_2019/
# annotations/youtube_vis_2019_{train,valid}.json), clips of 2 frames within
# 100 frames of each other, frames resized to 640 x 360 (keep ratio), flip;
# the valid split has no public masks: its results are written for the
# evaluation server (format_only).
dataset_type = 'YouTubeVISDataset'
data_root = 'data/youtube_vis_2019/'
dataset_version = '2019'
num_things_classes = 40  # the model's class count comes from here
num_frames = 2  # frames of a training clip
train_pipeline = [
    dict(type='UniformRefFrameSample', num_ref_imgs=num_frames - 1,
         frame_range=100, filter_key_img=True),
    dict(type='TransformBroadcaster', share_random_params=True, transforms=[
        dict(type='LoadImageFromFile'),
        dict(type='LoadTrackAnnotations', with_mask=True),
        dict(type='Resize', scale=(640, 360), keep_ratio=True),
        dict(type='RandomFlip', prob=0.5),
    ]),
    dict(type='PackTrackInputs')
]
test_pipeline = [
    dict(type='TransformBroadcaster', transforms=[
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=(640, 360), keep_ratio=True),
        dict(type='LoadTrackAnnotations', with_mask=True),
    ]),
    dict(type='PackTrackInputs')
]
# each step names its scope, so that the pipeline builds from any default scope
test_pipeline = [dict(step, _scope_='mmdet') for step in test_pipeline]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='mmdet.TrackAspectRatioBatchSampler'),
    dataset=dict(
        _scope_='mmdet',  # bare transform names are mmdet's
        type=dataset_type, data_root=data_root,
        dataset_version=dataset_version,
        ann_file='annotations/youtube_vis_2019_train.json',
        data_prefix=dict(img_path='train/JPEGImages'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        _scope_='mmdet',
        type=dataset_type, data_root=data_root,
        dataset_version=dataset_version,
        ann_file='annotations/youtube_vis_2019_valid.json',
        data_prefix=dict(img_path='valid/JPEGImages'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='M2FYouTubeVISMetric', metric='youtube_vis_ap',
                     outfile_prefix='./youtube_vis_results', format_only=True)
test_evaluator = val_evaluator
