# Quickstart: Mask2Former (MSDeformAttn pixel decoder, masked-attention decoder,
# point-sampled matching and losses) trained from scratch on the synthetic shapes
# scenes on a 2-core CPU in about 13 minutes, scored by PQ, mask AP and mIoU from
# one model. Sizes are scaled to 128 px scenes; see the quickstart issue's note
# for the recipes tried.
_base_ = [
    '../_base_/models/m2f_r50.py', '../_base_/datasets/shapes_panoptic.py',
    '../_base_/schedules/schedule_quickstart.py', '../_base_/default_runtime.py',
    '../_base_/models/quickstart_parts.py'
]
model = dict(
    num_things_classes=5,
    num_stuff_classes=3,
    backbone={{_base_.quickstart.backbone}},
    head={{_base_.quickstart.head}},
    test_cfg=dict(panoptic_on=True, instance_on=True, semantic_on=True))
train_dataloader = dict(batch_size=4)
default_hooks = dict(logger=dict(interval=25),  # ETA every 25 iterations
                     checkpoint=dict(interval=500))
