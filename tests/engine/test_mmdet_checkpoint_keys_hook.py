"""A Runner's load_from may name mmdet's Mask2Former-VIS (or image) model
zoo checkpoint: MMDetCheckpointKeysHook renames its keys to ours as it is
loaded, as mmdet's video configs start from its COCO models."""
import torch

from m2f_mm.engine import MMDetCheckpointKeysHook
from m2f_mm.registry import MODELS
from m2f_mm.testing.oracle import build_video_twins, ours_video_cfg


def test_mmdet_video_checkpoint_loads_into_ours():
    ours, ref = build_video_twins()
    checkpoint = {'state_dict': ref.state_dict(), 'meta': {}}
    assert any(k.startswith('track_head.') for k in checkpoint['state_dict'])
    MMDetCheckpointKeysHook().after_load_checkpoint(None, checkpoint)
    fresh = MODELS.build(ours_video_cfg())
    missing, unexpected = fresh.load_state_dict(checkpoint['state_dict'],
                                                strict=True)
    assert not missing and not unexpected
    for key, value in ours.state_dict().items():
        assert torch.equal(fresh.state_dict()[key], value), key


def test_our_checkpoints_pass_unchanged():
    ours, _ = build_video_twins()
    state = ours.state_dict()
    checkpoint = {'state_dict': dict(state)}
    MMDetCheckpointKeysHook().after_load_checkpoint(None, checkpoint)
    assert list(checkpoint['state_dict']) == list(state)

