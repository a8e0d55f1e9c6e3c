"""The synthetic scenes: deterministic, consistent across their three formats,
and read unchanged by mmdet's datasets and metrics (PQ/AP/mIoU 100 on a
prediction equal to the ground truth)."""
import hashlib
import json
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from pycocotools import mask as mask_utils

import m2f_mm  # noqa: F401
from m2f_mm.datasets import CLASSES, STUFF_CLASSES, THING_CLASSES, generate

SPLITS = dict(train=4, val=6)


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('shapes'))
    assert generate(path, SPLITS)
    assert not generate(path, SPLITS)  # regenerated only when missing
    return path


def _digest(root):
    names = ['annotations/panoptic_val.json', 'annotations/instances_val.json',
             'annotations/panoptic_val/000003.png',
             'annotations/semantic_val/000003.png', 'images/val/000003.jpg']
    return [hashlib.sha1(open(osp.join(root, n), 'rb').read()).hexdigest()
            for n in names]


def test_generation_is_deterministic(root, tmp_path):
    generate(str(tmp_path), SPLITS)
    assert _digest(root) == _digest(str(tmp_path))


def test_formats_agree(root):
    pan = json.load(open(osp.join(root, 'annotations/panoptic_val.json')))
    inst = json.load(open(osp.join(root, 'annotations/instances_val.json')))
    cats = {c['id']: c for c in pan['categories']}
    assert [c['name'] for c in pan['categories']] == list(CLASSES)
    assert sum(c['isthing'] for c in cats.values()) == len(THING_CLASSES)
    inst_by_image = {}
    for ann in inst['annotations']:
        inst_by_image.setdefault(ann['image_id'], []).append(ann)
    sizes = []
    for ann in pan['annotations']:
        png = cv2.imread(osp.join(root, 'annotations/panoptic_val',
                                  ann['file_name']))[..., ::-1].astype(np.int64)
        ids = png[..., 0] + 256 * png[..., 1] + 65536 * png[..., 2]
        sem = cv2.imread(osp.join(root, 'annotations/semantic_val',
                                  ann['file_name']), cv2.IMREAD_GRAYSCALE)
        things = [s for s in ann['segments_info'] if cats[s['category_id']]['isthing']]
        assert len(things) == len(inst_by_image.get(ann['image_id'], []))
        for seg in ann['segments_info']:
            mask = ids == seg['id']
            assert mask.sum() == seg['area'] > 0
            label = seg['category_id'] - 1
            assert (sem[mask] == label).all()
            sizes.append(max(seg['bbox'][2:]))
        for obj in inst_by_image.get(ann['image_id'], []):
            rle = dict(obj['segmentation'], counts=obj['segmentation']['counts'].encode())
            decoded = mask_utils.decode(rle).astype(bool)
            assert any(((ids == s['id']) == decoded).all() for s in things)
        assert set(np.unique(sem)) <= set(range(len(CLASSES))) | {255}
    assert len(STUFF_CLASSES) >= 2 and len(THING_CLASSES) >= 4


def test_mmdet_reads_it_and_metrics_score_ground_truth_as_perfect(root):
    from mmdet.registry import DATASETS, METRICS
    from mmdet.structures.mask import mask2bbox
    init_default_scope('mmdet')
    meta = dict(classes=CLASSES, thing_classes=THING_CLASSES,
                stuff_classes=STUFF_CLASSES)
    dataset = DATASETS.build(dict(
        type='CocoPanopticDataset', data_root=root, metainfo=meta,
        ann_file='annotations/panoptic_val.json',
        data_prefix=dict(img='images/val/', seg='annotations/panoptic_val/'),
        test_mode=True,
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='LoadPanopticAnnotations', with_bbox=True,
                       with_mask=True, with_seg=True),
                  dict(type='PackDetInputs', meta_keys=(
                      'img_id', 'img_path', 'ori_shape', 'img_shape',
                      'scale_factor', 'seg_map_path'))]))
    assert len(dataset) == SPLITS['val']
    pq = METRICS.build(dict(type='CocoPanopticMetric', ann_file=osp.join(
        root, 'annotations/panoptic_val.json'), seg_prefix=osp.join(
            root, 'annotations/panoptic_val/')))
    ap = METRICS.build(dict(type='CocoMetric', metric=['segm'], ann_file=osp.join(
        root, 'annotations/instances_val.json')))
    iou = METRICS.build(dict(type='m2f_mm.DetSemSegIoUMetric'))
    for metric in (pq, ap, iou):
        metric.dataset_meta = dataset.metainfo
    from mmdet.evaluation.functional import INSTANCE_OFFSET
    for i in range(len(dataset)):
        item = dataset[i]
        sample = item['data_samples']
        gt = sample.gt_instances
        sem = sample.gt_sem_seg.sem_seg[0]
        pan = sem.clone().int()
        pan[sem == 255] = len(CLASSES)
        for k, m in enumerate(gt.masks.to_tensor(torch.bool, 'cpu')):
            pan[m] = int(gt.labels[k]) + (k + 1) * INSTANCE_OFFSET
        masks = gt.masks.to_tensor(torch.bool, 'cpu')
        out = sample.to_dict()
        out['pred_panoptic_seg'] = dict(sem_seg=pan[None])
        out['pred_instances'] = dict(masks=masks, labels=gt.labels,
                                     scores=torch.ones(len(gt.labels)),
                                     bboxes=mask2bbox(masks))
        out['pred_sem_seg'] = dict(sem_seg=sem[None])
        out['gt_sem_seg'] = dict(sem_seg=sem[None])
        for metric in (pq, ap, iou):
            metric.process({}, [out])
    assert pq.evaluate(len(dataset))['coco_panoptic/PQ'] == pytest.approx(100)
    assert ap.evaluate(len(dataset))['coco/segm_mAP'] == pytest.approx(1.0)
    assert iou.evaluate(len(dataset))['mIoU'] == pytest.approx(100)


def test_things_stay_recognisable_yet_overlap_and_touch_the_border():
    """Every annotated thing keeps MIN_VISIBLE of its shape in view and stands
    out from the stuff around it; objects still occlude each other and are
    cut by the border (so the task is not trivial)."""
    from m2f_mm.datasets.synthetic_shapes import (MIN_AREA, MIN_CONTRAST,
                                                  MIN_VISIBLE, make_scene)
    occluded = cut = 0
    for seed in range(60):
        image, stuff, things = make_scene(seed)
        any_thing = np.any([m for _, m, _ in things], axis=0)
        for kind, mask, full_area in things:
            visible = int(mask.sum())
            assert visible >= max(MIN_AREA, MIN_VISIBLE * full_area)
            at_border = mask[[0, -1]].any() or mask[:, [0, -1]].any()
            cut += visible < full_area and at_border
            occluded += visible < full_area and not at_border
            # the object's colour against the stuff just outside it
            ring = cv2.dilate(mask.astype(np.uint8), np.ones((5, 5))) > 0
            ring &= ~any_thing
            if ring.sum() >= 10:
                diff = image[mask].mean(0) - image[ring].mean(0)
                assert np.linalg.norm(diff) > MIN_CONTRAST / 2
    assert occluded >= 10 and cut >= 10
