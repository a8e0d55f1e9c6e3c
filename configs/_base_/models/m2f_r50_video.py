# Mask2Former for video instance segmentation (Mask2Former-VIS, arXiv
# 2112.10764) with a ResNet-50: the image model's parts on a time axis (pixel
# decoder per frame, queries over the clip's frames with 3D positions, mask
# tubes); the class count comes from the dataset base.
_base_ = ['./m2f_parts.py']
model = dict(
    _scope_='m2f_mm',
    type='M2FVideoSegmentor',
    data_preprocessor=dict(
        type='mmdet.TrackDataPreprocessor',
        mean={{_base_.pixel_mean}},
        std={{_base_.pixel_std}},
        bgr_to_rgb=True,
        pad_size_divisor=32,
        pad_mask=True),  # masks padded with 0 to the batch size
    backbone={{_base_.r50_backbone}},
    head={{_base_.m2f_head}},
    top_k=10)  # tracks kept per video (the official and mmdet's test setting)
visualizer = dict(type='mmdet.TrackLocalVisualizer',  # draws TrackDataSamples
                  vis_backends=[dict(type='LocalVisBackend')],
                  name='visualizer')
