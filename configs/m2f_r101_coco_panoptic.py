# Mask2Former R101, COCO panoptic, 50 epochs (paper Table 1: PQ 52.6).
_base_ = './m2f_r50_coco_panoptic.py'
model = dict(backbone=dict(
    depth=101,
    init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet101')))
