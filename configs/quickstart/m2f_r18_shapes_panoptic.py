# Quickstart: Mask2Former (MSDeformAttn pixel decoder, masked-attention decoder,
# point-sampled matching and losses) trained from scratch on the synthetic shapes
# scenes on a 2-core CPU in about 13 minutes, scored by PQ, mask AP and mIoU from
# one model. Sizes are scaled to 128 px scenes; see the quickstart issue's note
# for the recipes tried.
_base_ = [
    '../_base_/models/m2f_r50.py', '../_base_/datasets/shapes_panoptic.py',
    '../_base_/schedules/schedule_quickstart.py',
    '../_base_/models/quickstart_parts.py'
]
model = dict(
    num_things_classes={{_base_.num_things_classes}},
    num_stuff_classes={{_base_.num_stuff_classes}},
    backbone={{_base_.quickstart.backbone}},
    head={{_base_.quickstart.head}},
    test_cfg=dict(panoptic_on=True, instance_on=True, semantic_on=True))
train_dataloader = dict(batch_size=4)
