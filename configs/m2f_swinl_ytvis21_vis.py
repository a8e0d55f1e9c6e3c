# Mask2Former-VIS Swin-L (IN-21k, 384, window 12), YouTube-VIS 2021 (official:
# AP 52.6; mmdet's metafile: 52.3), 200 queries, started from the COCO panoptic
# Swin-L model.
_base_ = ['./m2f_r50_ytvis21_vis.py', './_base_/models/backbones.py']
model = dict(
    backbone={{_base_.backbones.swinl.backbone}},
    head=dict(in_channels={{_base_.backbones.swinl.in_channels}},
              num_queries=200))
optim_wrapper = dict(paramwise_cfg=dict(
    custom_keys={{_base_.backbones.swinl.custom_keys}}))
load_from = ('https://download.openmmlab.com/mmdetection/v3.0/mask2former/'
             'mask2former_swin-l-p4-w12-384-in21k_16xb1-lsj-100e_coco-panoptic/'
             'mask2former_swin-l-p4-w12-384-in21k_16xb1-lsj-100e_coco-panoptic_'
             '20220407_104949-82f8d28d.pth')
