# Mask2Former-VIS R50, YouTube-VIS 2019 (official: AP 46.4; mmdet's
# 2019 config has no figure): clips of 2 frames, 640 x 360, 6k iterations,
# started from the COCO panoptic model (mmdet's checkpoint, loaded with its
# key names converted; the class head is the one weight that does not fit).
_base_ = [
    '_base_/models/m2f_r50_video.py', '_base_/datasets/youtube_vis_2019.py',
    '_base_/schedules/schedule_vis_6k.py'
]
model = dict(num_things_classes={{_base_.num_things_classes}})
load_from = ('https://download.openmmlab.com/mmdetection/v3.0/mask2former/'
             'mask2former_r50_8xb2-lsj-50e_coco/'
             'mask2former_r50_8xb2-lsj-50e_coco_20220506_191028-41b088b6.pth')
# mmdet's track visualisation hook (ours draws images, not videos)
default_hooks = dict(visualization=dict(_delete_=True,
                                        type='mmdet.TrackVisualizationHook',
                                        draw=False))
