# Mask2Former Swin-S (224, window 7), COCO panoptic, 50 epochs (paper: PQ 54.6).
_base_ = './m2f_swint_coco_panoptic.py'
pretrained = 'checkpoints/swin_small_patch4_window7_224.pth'  # set your path
depths = [2, 2, 18, 2]
model = dict(backbone=dict(
    depths=depths, init_cfg=dict(type='Pretrained', checkpoint=pretrained)))
backbone_norm_multi = dict(lr_mult=0.1, decay_mult=0.0)
custom_keys = {
    f'backbone.stages.2.blocks.{block_id}.norm': backbone_norm_multi
    for block_id in range(6, 18)  # the blocks Swin-T lacks
}
optim_wrapper = dict(paramwise_cfg=dict(custom_keys=custom_keys))
