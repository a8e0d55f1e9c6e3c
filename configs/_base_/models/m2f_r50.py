# Mask2Former with a ResNet-50, mmdet side (panoptic, instance and semantic
# outputs from one model); the class counts come from the dataset base.
_base_ = ['./m2f_parts.py']
model = dict(
    # our scope inside the model also where another scope is the default
    # (mmdet's DetInferencer, an mmdet-scoped config inheriting this one)
    _scope_='m2f_mm',
    type='M2FDetector',
    data_preprocessor=dict(
        type='mmdet.DetDataPreprocessor',
        mean={{_base_.pixel_mean}},
        std={{_base_.pixel_std}},
        bgr_to_rgb=True,
        pad_size_divisor=32,
        pad_mask=True,  # masks padded with 0 to the batch size
        mask_pad_value=0,
        pad_seg=True,  # semantic maps padded with the ignored label
        seg_pad_value=255),
    ignore_index=255,  # = seg_pad_value: unlabelled and padded pixels
    backbone={{_base_.r50_backbone}},
    head={{_base_.m2f_head}},
    test_cfg=dict(
        panoptic_on=True,
        instance_on=True,
        semantic_on=False,
        object_mask_thr=0.8,
        overlap_thr=0.8,
        max_per_image=100))
visualizer = dict(type='mmdet.DetLocalVisualizer',  # draws DetDataSamples
                  vis_backends=[dict(type='LocalVisBackend')],
                  name='visualizer')
