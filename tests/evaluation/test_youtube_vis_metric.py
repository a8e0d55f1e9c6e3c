"""mmdet's YouTubeVISMetric (what the video configs evaluate with, through
M2FYouTubeVISMetric, which only lets it run under NumPy 2), pinned
on hand-made tracks whose AP follows from the spatio-temporal IoU
definition: IoU(track, object) = sum over frames of |P_t & G_t| / sum over
frames of |P_t | G_t|, AP averaged over IoU thresholds 0.50:0.05:0.95."""
import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.structures import InstanceData
from pycocotools import mask as mask_utils

from m2f_mm.evaluation import M2FYouTubeVISMetric

FRAMES, SIZE = 4, 32


def _object_mask(t):
    """The one ground-truth object: a 10 x 12 box moving right."""
    mask = np.zeros((SIZE, SIZE), np.uint8)
    mask[8:18, 2 + 3 * t:14 + 3 * t] = 1
    return mask


def _rle(mask):
    rle = mask_utils.encode(np.asfortranarray(mask))
    rle['counts'] = rle['counts'].decode()
    return rle


def _video(tracks):
    """One TrackDataSample: the object in every frame, and ``tracks`` as
    the prediction: [(score, [frame masks])], ids in list order."""
    frames = []
    for t in range(FRAMES):
        gt = _object_mask(t)
        ys, xs = np.nonzero(gt)
        frame = DetDataSample(metainfo=dict(
            video_id=1, img_id=t + 1, frame_id=t, ori_shape=(SIZE, SIZE),
            ori_video_length=FRAMES,
            instances=[dict(bbox=[xs.min(), ys.min(), xs.max() + 1,
                                  ys.max() + 1], bbox_label=0,
                            instance_id=1, mask=_rle(gt), ignore_flag=0)]))
        masks = np.stack([m[t] for _, m in tracks]).astype(bool)
        frame.pred_track_instances = InstanceData(
            masks=torch.from_numpy(masks),
            bboxes=torch.zeros(len(tracks), 4),
            scores=torch.tensor([s for s, _ in tracks]),
            labels=torch.zeros(len(tracks), dtype=torch.long),
            instances_id=torch.arange(len(tracks)))
        frames.append(frame)
    return TrackDataSample(video_data_samples=frames)


def _evaluate(tracks):
    metric = M2FYouTubeVISMetric(metric='youtube_vis_ap')
    metric.dataset_meta = dict(classes=('circle', 'square'))
    # as mmengine's Evaluator hands it over: each sample as a dict
    metric.process({}, [_video(tracks).to_dict()])
    return metric.evaluate(size=1)


def test_perfect_track_scores_100():
    exact = [_object_mask(t) for t in range(FRAMES)]
    result = _evaluate([(0.9, exact)])
    assert result['youtube_vis/segm_mAP'] == pytest.approx(1.0)
    assert result['youtube_vis/segm_mAP_75'] == pytest.approx(1.0)


def test_identity_switch_halfway_scores_one_tenth():
    """The object followed by track A in frames 0-1 and by track B in
    frames 2-3 (each exact there, empty elsewhere): each track's
    spatio-temporal IoU is 2a / 4a = 0.5, so at IoU threshold 0.50 the
    higher-scored track is a true positive (precision 1 at recall 1: AP 1)
    and the other a false positive, and at 0.55..0.95 neither matches (AP
    0): mAP = 1 / 10."""
    empty = np.zeros((SIZE, SIZE), np.uint8)
    first = [_object_mask(t) if t < 2 else empty for t in range(FRAMES)]
    second = [_object_mask(t) if t >= 2 else empty for t in range(FRAMES)]
    result = _evaluate([(0.9, first), (0.8, second)])
    assert result['youtube_vis/segm_mAP_50'] == pytest.approx(1.0)
    assert result['youtube_vis/segm_mAP_75'] == pytest.approx(0.0)
    assert result['youtube_vis/segm_mAP'] == pytest.approx(0.1)


def test_numpy_is_left_as_it_was():
    exact = [_object_mask(t) for t in range(FRAMES)]
    _evaluate([(0.9, exact)])
    assert 'float' not in np.__dict__


def test_a_second_evaluation_gives_the_same_numbers():
    """(A training run validates more than once with one metric object.)"""
    exact = [_object_mask(t) for t in range(FRAMES)]
    metric = M2FYouTubeVISMetric(metric='youtube_vis_ap')
    metric.dataset_meta = dict(classes=('circle', 'square'))
    results = []
    for _ in range(2):
        metric.process({}, [_video([(0.9, exact)]).to_dict()])
        results.append(metric.evaluate(size=1))
    assert results[0] == results[1]
    assert results[0]['youtube_vis/segm_mAP'] == pytest.approx(1.0)
