# Mask2Former Swin-B (384, window 12, IN-21k), COCO panoptic, 50 epochs (paper: PQ 56.4).
_base_ = './m2f_swins_coco_panoptic.py'
pretrained = 'checkpoints/swin_base_patch4_window12_384_22k.pth'  # set your path
model = dict(
    backbone=dict(
        pretrain_img_size=384,
        embed_dims=128,
        num_heads=[4, 8, 16, 32],
        window_size=12,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    head=dict(in_channels=[128, 256, 512, 1024]))
