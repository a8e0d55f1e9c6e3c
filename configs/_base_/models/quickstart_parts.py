# The quickstart model's parts, scaled to the 128 px synthetic scenes: a
# ResNet-18 trained from scratch and a narrow head. Merged into the face's
# model by the quickstart configs with backbone={{_base_.quickstart.backbone}}
# and head={{_base_.quickstart.head}} (panoptic, instance and semantic alike);
# what is not named here (mask and dice weights, ...) stays m2f_parts.py's.
_num_points = 1024  # 128 px scenes: mask logits are 32 x 32
_class_weight = 5.0  # CE weight and its match cost; 2.0 (COCO) left things unlabelled
quickstart = dict(
    backbone=dict(
        depth=18,
        norm_cfg=dict(type='BN', requires_grad=True),  # trained from scratch
        norm_eval=False,
        init_cfg=None),
    head=dict(
        in_channels=[64, 128, 256, 512],
        num_queries=20,
        feat_channels=128,
        embed_dims=128,
        mask_dims=128,
        # 128 px maps are small: no recomputation (with_cp) needed
        pixel_decoder=dict(num_heads=4, feedforward_dims=256, with_cp=False),
        # one round over 1/32, 1/16, 1/8: learned things earliest of 3/6/9
        transformer_decoder=dict(num_layers=3, num_heads=4,
                                 feedforward_dims=256),
        loss=dict(
            num_points=_num_points,
            class_weight=_class_weight,
            assigner=dict(
                num_points=_num_points,
                match_costs=dict(classification=dict(weight=_class_weight))))))
