# Mask2Former-VIS R101, YouTube-VIS 2019 (official: AP 49.2), started
# from the COCO R101 model.
_base_ = ['./m2f_r50_ytvis19_vis.py', './_base_/models/backbones.py']
model = dict(backbone={{_base_.backbones.r101.backbone}})
load_from = ('https://download.openmmlab.com/mmdetection/v3.0/mask2former/'
             'mask2former_r101_8xb2-lsj-50e_coco/'
             'mask2former_r101_8xb2-lsj-50e_coco_20220426_100250-ecf181e2.pth')
