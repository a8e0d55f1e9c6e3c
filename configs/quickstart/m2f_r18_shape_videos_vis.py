# Video quickstart: Mask2Former-VIS (the quickstart's ResNet-18 and narrow
# head, queries over the frames of a clip, mask tubes) trained from scratch on
# the moving-shapes videos on a 2-core CPU, scored by YouTube-VIS's mask AP on
# the val videos (whole-video inference, the official mode).
_base_ = [
    '../_base_/models/m2f_r50_video.py', '../_base_/datasets/shapes_video.py',
    '../_base_/schedules/schedule_quickstart.py',
    '../_base_/models/quickstart_parts.py'
]
model = dict(
    num_things_classes={{_base_.num_things_classes}},
    backbone={{_base_.quickstart.backbone}},
    head={{_base_.quickstart.head}})
train_dataloader = dict(batch_size=4)  # clips of two frames: 8 frames a step
# mmdet's track visualisation hook (ours draws images, not videos)
default_hooks = dict(visualization=dict(_delete_=True,
                                        type='mmdet.TrackVisualizationHook',
                                        draw=False))
