"""Checkpoints of mmdet's or mmseg's Mask2Former loaded into ours directly."""
from mmengine.hooks import Hook

from m2f_mm.converters import convert_mmdet_state_dict
from m2f_mm.registry import HOOKS

#: where mmdet's image model, its video model and mmseg's keep the head
_MMDET_HEADS = ('panoptic_head.', 'track_head.', 'decode_head.pixel_decoder',
                'decode_head.transformer_decoder')


@HOOKS.register_module()
class MMDetCheckpointKeysHook(Hook):
    """Renames the keys of a checkpoint of mmdet's ``Mask2Former`` /
    ``Mask2FormerVideo`` or mmseg's ``Mask2FormerHead`` to ours
    (``convert_mmdet_state_dict``, what ``tools/model_converters/mmdet2m2f.py``
    writes) as the Runner loads it (``load_from``, ``--resume`` of such a
    file), so that a config can start from mmdet's model zoo as mmdet's
    video configs do. Checkpoints with our names pass unchanged."""

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('state_dict', checkpoint)
        if not any(k.startswith(_MMDET_HEADS) for k in state):
            return
        converted = convert_mmdet_state_dict(state)
        state.clear()
        state.update(converted)
