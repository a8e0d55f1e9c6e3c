"""Cityscapes and Mapillary panoptic layouts, written here file by file in the
real on-disk format: labels come out things first whatever the JSON's order,
mmdet's loader reads them, and PanopticJsonMetric (cityscapesscripts) scores
known predictions."""
import json
import os.path as osp

import numpy as np
import pytest
import torch
from PIL import Image

import m2f_mm  # noqa: F401
from m2f_mm.datasets import (CityscapesPanopticDataset, MapillaryPanopticDataset,
                             things_first_metainfo)
from m2f_mm.evaluation import PanopticJsonMetric, id2rgb

INSTANCE_OFFSET = 1000  # mmdet's panoptic encoding
# cityscapesscripts' categories, in its order (stuff first), ids = label ids
CITYSCAPES = [('road', 7, 0), ('sidewalk', 8, 0), ('building', 11, 0),
              ('wall', 12, 0), ('fence', 13, 0), ('pole', 17, 0),
              ('traffic light', 19, 0), ('traffic sign', 20, 0),
              ('vegetation', 21, 0), ('terrain', 22, 0), ('sky', 23, 0),
              ('person', 24, 1), ('rider', 25, 1), ('car', 26, 1),
              ('truck', 27, 1), ('bus', 28, 1), ('train', 31, 1),
              ('motorcycle', 32, 1), ('bicycle', 33, 1)]
H, W = 32, 64


def _scene(index):
    """Segment-id map (cityscapes ids: stuff = category, thing = cat*1000+i):
    road below, sky above, two cars and a person."""
    ids = np.full((H, W), 23, np.int64)  # sky
    ids[H // 2:] = 7  # road
    ids[4:14, 4:20] = 26000  # car 0
    ids[18:30, 30 + index:50] = 26001  # car 1
    ids[6:28, 54:60] = 24000  # person 0
    return ids


def _segments(ids):
    segments = []
    for seg_id in np.unique(ids):
        ys, xs = np.nonzero(ids == seg_id)
        segments.append(dict(
            id=int(seg_id), category_id=int(seg_id if seg_id < 1000
                                             else seg_id // 1000),
            iscrowd=0, area=int(len(ys)),
            bbox=[int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1),
                  int(ys.max() - ys.min() + 1)]))
    return segments


@pytest.fixture
def cityscapes(tmp_path):
    """``leftImg8bit/val/{city}/`` + ``gtFine/cityscapes_panoptic_val{.json,/}``
    as cityscapesscripts' createPanopticImgs writes them."""
    root = tmp_path / 'cityscapes'
    images, annotations = [], []
    for index, city in enumerate(['frankfurt', 'lindau']):
        stem = f'{city}_000000_00001{index}'
        img_dir = root / 'leftImg8bit' / 'val' / city
        img_dir.mkdir(parents=True)
        Image.fromarray(np.full((H, W, 3), 100 + index, np.uint8)).save(
            img_dir / f'{stem}_leftImg8bit.png')
        ids = _scene(index)
        png_dir = root / 'gtFine' / 'cityscapes_panoptic_val'
        png_dir.mkdir(parents=True, exist_ok=True)
        Image.fromarray(id2rgb(ids)).save(png_dir /
                                          f'{stem}_gtFine_panoptic.png')
        images.append(dict(id=stem, file_name=f'{stem}_leftImg8bit.png',
                           height=H, width=W))
        annotations.append(dict(image_id=stem,
                                file_name=f'{stem}_gtFine_panoptic.png',
                                segments_info=_segments(ids)))
    categories = [dict(id=i, name=n, isthing=t, supercategory='', color=[0] * 3)
                  for n, i, t in CITYSCAPES]
    with open(root / 'gtFine' / 'cityscapes_panoptic_val.json', 'w') as f:
        json.dump(dict(images=images, annotations=annotations,
                       categories=categories), f)
    return root


def _dataset(root, pipeline=(), **kwargs):
    return CityscapesPanopticDataset(
        data_root=str(root), ann_file='gtFine/cityscapes_panoptic_val.json',
        data_prefix=dict(img='leftImg8bit/val/',
                         seg='gtFine/cityscapes_panoptic_val/'),
        test_mode=True, pipeline=list(pipeline), **kwargs)


def test_cityscapes_labels_things_first_and_mmdet_loader_reads_them(cityscapes):
    dataset = _dataset(cityscapes, pipeline=[
        dict(type='mmdet.LoadImageFromFile'),
        dict(type='mmdet.LoadPanopticAnnotations')])
    classes = dataset.metainfo['classes']
    assert classes[:8] == dataset.metainfo['thing_classes']
    assert len(dataset) == 2
    item = dataset.get_data_info(0)
    assert osp.isfile(item['img_path']) and '/frankfurt/' in item['img_path']
    assert osp.isfile(item['seg_map_path'])
    car, person, road, sky = (classes.index(n)
                              for n in ('car', 'person', 'road', 'sky'))
    assert (car, person) == (2, 0) and road == 8 and sky == 18
    # the things are the instances, with their boxes
    assert sorted(i['bbox_label'] for i in item['instances']) == \
        [person, car, car]
    assert [4, 4, 20, 14] in [i['bbox'] for i in item['instances']]
    loaded = dataset[0]
    seg = loaded['gt_seg_map']
    assert seg[0, 0] == sky and seg[H - 1, 0] == road
    assert seg[5, 5] == car and seg[10, 56] == person
    assert loaded['gt_masks'].masks.shape == (3, H, W)


def test_classes_that_do_not_match_the_json_name_the_file(cityscapes):
    with pytest.raises(ValueError, match='cityscapes_panoptic_val.json'):
        _dataset(cityscapes, metainfo=dict(
            classes=('car', 'road'), thing_classes=('car', ),
            stuff_classes=('road', )))


def test_mapillary_reads_its_classes_from_the_json(cityscapes):
    dataset = MapillaryPanopticDataset(
        data_root=str(cityscapes),
        ann_file='gtFine/cityscapes_panoptic_val.json',
        data_prefix=dict(img='leftImg8bit/val/',
                         seg='gtFine/cityscapes_panoptic_val/'),
        test_mode=True, pipeline=[])
    with open(cityscapes / 'gtFine' / 'cityscapes_panoptic_val.json') as f:
        expected = things_first_metainfo(json.load(f)['categories'])
    assert dataset.metainfo['classes'] == expected['classes']
    assert dataset.metainfo['classes'][0] == 'person'
    assert len(expected['thing_classes']) == 8


def _prediction(ids, classes, drop_person=False, car_as_truck=False):
    """Our encoding of a scene: label + instance * INSTANCE_OFFSET."""
    by_id = {i: n for n, i, _ in CITYSCAPES}
    pan = np.full(ids.shape, len(classes), np.int64)  # void
    for seg_id in np.unique(ids):
        cat = seg_id if seg_id < 1000 else seg_id // 1000
        name = by_id[cat]
        if drop_person and name == 'person':
            continue
        if car_as_truck and seg_id == 26001:
            name = 'truck'
        label = classes.index(name)
        instance = seg_id % 1000 + 1 if seg_id >= 1000 else 0
        pan[ids == seg_id] = label + instance * INSTANCE_OFFSET
    return torch.from_numpy(pan)[None]


@pytest.mark.parametrize('case', ['exact', 'drop_person', 'car_as_truck'])
def test_panoptic_json_metric_known_scores(cityscapes, tmp_path, case):
    dataset = _dataset(cityscapes)
    classes = dataset.metainfo['classes']
    metric = PanopticJsonMetric(
        ann_file=str(cityscapes / 'gtFine' / 'cityscapes_panoptic_val.json'),
        seg_prefix=str(cityscapes / 'gtFine' / 'cityscapes_panoptic_val'),
        outfile_prefix=str(tmp_path / 'pred'))
    metric.dataset_meta = dataset.metainfo
    for index in range(2):
        item = dataset.get_data_info(index)
        pan = _prediction(_scene(index), classes,
                          drop_person=case == 'drop_person',
                          car_as_truck=case == 'car_as_truck')
        metric.process({}, [dict(img_id=item['img_id'],
                                 pred_panoptic_seg=dict(sem_seg=pan))])
    scores = metric.evaluate(2)
    if case == 'exact':
        assert scores['panoptic/PQ'] == pytest.approx(100)
    elif case == 'drop_person':
        # person: no match (PQ 0); car, road, sky perfect -> mean of 4
        assert scores['panoptic/PQ_st'] == pytest.approx(100)
        assert scores['panoptic/PQ_th'] == pytest.approx(50)
        assert scores['panoptic/PQ'] == pytest.approx(75)
    else:
        # car: 2 TP of 4 GT, 0 FP -> RQ 2/3; truck: 0 TP, 2 FP -> 0;
        # person 1 -> things (2/3 + 0 + 1) / 3
        assert scores['panoptic/PQ_th'] == pytest.approx(100 * (5 / 3) / 3)
