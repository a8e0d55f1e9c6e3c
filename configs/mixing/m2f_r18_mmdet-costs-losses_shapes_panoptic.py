# Mixing, costs and losses: mmdet's match costs in the Hungarian assigner and
# mmdet's losses in the set loss, called as mmdet's Mask2Former calls them.
# With these settings they compute what our defaults compute (tested); here
# the class term is MaskFormer-style focal loss instead of the weighted CE.
_base_ = ['../quickstart/m2f_r18_shapes_panoptic.py']
_class_weight = {{_base_._class_weight}}
_mask_weight = {{_base_.mask_weight}}
_dice_weight = {{_base_.dice_weight}}
model = dict(
    head=dict(
        loss=dict(
            loss_cls=dict(type='mmdet.FocalLoss', use_sigmoid=True, gamma=2.0,
                          alpha=0.25, loss_weight=_class_weight),
            loss_mask=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=True,
                           reduction='mean', loss_weight=_mask_weight),
            loss_dice=dict(type='mmdet.DiceLoss', use_sigmoid=True,
                           activate=True, reduction='mean', naive_dice=True,
                           eps=1.0, loss_weight=_dice_weight),
            assigner=dict(match_costs=dict(
                _delete_=True,
                classification=dict(type='mmdet.ClassificationCost',
                                    weight=_class_weight),
                mask=dict(type='mmdet.CrossEntropyLossCost',
                          weight=_mask_weight, use_sigmoid=True),
                dice=dict(type='mmdet.DiceCost', weight=_dice_weight,
                          pred_act=True, eps=1.0))))))
