# Quickstart, instance task: the quickstart model and schedule on the shapes
# scenes' COCO instance annotations (5 shape classes), scored by mask AP.
_base_ = [
    '../_base_/models/m2f_r50.py', '../_base_/datasets/shapes_instance.py',
    '../_base_/schedules/schedule_quickstart.py', '../_base_/default_runtime.py',
    '../_base_/models/quickstart_parts.py'
]
model = dict(
    num_things_classes=5,
    num_stuff_classes=0,
    data_preprocessor=dict(pad_seg=False),
    backbone={{_base_.quickstart.backbone}},
    head={{_base_.quickstart.head}},
    test_cfg=dict(panoptic_on=False, instance_on=True))
default_hooks = dict(logger=dict(interval=25),  # ETA every 25 iterations
                     checkpoint=dict(interval=500))
