# Quickstart, instance task: the quickstart model and schedule on the shapes
# scenes' COCO instance annotations (5 shape classes), scored by mask AP.
_base_ = [
    '../_base_/models/m2f_r50.py', '../_base_/datasets/shapes_instance.py',
    '../_base_/schedules/schedule_quickstart.py',
    '../_base_/models/quickstart_parts.py'
]
model = dict(
    num_things_classes={{_base_.num_things_classes}},
    num_stuff_classes={{_base_.num_stuff_classes}},
    data_preprocessor=dict(pad_seg=False),
    backbone={{_base_.quickstart.backbone}},
    head={{_base_.quickstart.head}},
    test_cfg=dict(panoptic_on=False, instance_on=True))
