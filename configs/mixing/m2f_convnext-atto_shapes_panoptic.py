# Mixing, a backbone from mmpretrain: ConvNeXt (atto) under the quickstart's
# Mask2Former, panoptic task. Needs mmpretrain (`pip install mmpretrain`),
# whose models import torchvision: a torchvision built for the installed
# torch (for a CPU torch, from download.pytorch.org's CPU index; PyPI's
# torchvision is the CUDA build). gap_before_final_norm=False keeps the
# stage maps instead of the pooled vector.
_base_ = ['../quickstart/m2f_r18_shapes_panoptic.py']
custom_imports = dict(imports=['m2f_mm', 'mmpretrain.models'],
                      allow_failed_imports=False)
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.ConvNeXt',
        arch='atto',
        out_indices=(0, 1, 2, 3),
        drop_path_rate=0.1,
        gap_before_final_norm=False,
        init_cfg=None),
    head=dict(in_channels=[40, 80, 160, 320]))
