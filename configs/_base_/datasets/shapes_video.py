# The moving-shapes videos (m2f_mm.datasets.generate_videos) in the YouTube-VIS
# JSON, read as they are by YouTubeVISJsonDataset, clips of two frames in
# training as the official recipe, scored by YouTube-VIS's mask AP.
dataset_type = 'm2f_mm.YouTubeVISJsonDataset'
data_root = 'data/shape_videos/'  # written by m2f_mm.datasets.generate_videos
metainfo = dict(
    classes=('circle', 'square', 'triangle', 'star', 'ring'),
    palette=[(220, 20, 60), (119, 11, 32), (0, 0, 142), (0, 60, 100),
             (250, 170, 30)])
num_things_classes = len(metainfo['classes'])  # the model's class count comes from here
num_frames = 2  # frames of a training clip
train_pipeline = [
    dict(type='UniformRefFrameSample', num_ref_imgs=num_frames - 1,
         frame_range=5, filter_key_img=True),
    dict(type='TransformBroadcaster', share_random_params=True, transforms=[
        dict(type='LoadImageFromFile'),
        dict(type='m2f_mm.CheckFrameSize'),  # every frame the video's size
        dict(type='LoadTrackAnnotations', with_mask=True),
        dict(type='RandomFlip', prob=0.5),
    ]),
    dict(type='PackTrackInputs')
]
test_pipeline = [
    dict(type='TransformBroadcaster', transforms=[
        dict(type='LoadImageFromFile'),
        dict(type='m2f_mm.CheckFrameSize'),
        dict(type='LoadTrackAnnotations', with_mask=True),
    ]),
    dict(type='PackTrackInputs')
]
# each step names its scope, so that the pipeline builds from any default
# scope (inferencers)
test_pipeline = [dict(step, _scope_='mmdet') for step in test_pipeline]
train_dataloader = dict(
    batch_size=4,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        _scope_='mmdet',  # bare transform names are mmdet's
        type=dataset_type, data_root=data_root, metainfo=metainfo,
        ann_file='annotations/ytvis_train.json',
        data_prefix=dict(img_path='videos/train/JPEGImages/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,  # one whole video at a time
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        _scope_='mmdet',
        type=dataset_type, data_root=data_root, metainfo=metainfo,
        ann_file='annotations/ytvis_val.json',
        data_prefix=dict(img_path='videos/val/JPEGImages/'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='M2FYouTubeVISMetric', metric='youtube_vis_ap')
test_evaluator = val_evaluator
