# YouTube-VIS 2021 (40 classes, another list than 2019's): as 2019's base with
# its own annotation files (data/youtube_vis_2021/annotations/
# youtube_vis_2021_{train,valid}.json from mmdet's youtubevis2coco.py).
_base_ = ['./youtube_vis_2019.py']
data_root = 'data/youtube_vis_2021/'
dataset_version = '2021'
train_dataloader = dict(dataset=dict(
    data_root=data_root, dataset_version=dataset_version,
    ann_file='annotations/youtube_vis_2021_train.json'))
val_dataloader = dict(dataset=dict(
    data_root=data_root, dataset_version=dataset_version,
    ann_file='annotations/youtube_vis_2021_valid.json'))
test_dataloader = val_dataloader
