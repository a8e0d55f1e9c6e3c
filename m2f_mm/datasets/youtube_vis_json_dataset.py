"""YouTube-VIS annotation files read as they are distributed (``videos``,
one annotation per object with a segmentation or ``None`` per frame), with
every inconsistency named; mmdet's video datasets need them converted first
(``youtubevis2coco.py``) and skip what does not fit silently."""
import json
import os.path as osp
from typing import List, Optional, Sequence

from mmdet.datasets import BaseVideoDataset

from m2f_mm.registry import DATASETS


@DATASETS.register_module()
class YouTubeVISJsonDataset(BaseVideoDataset):
    """Videos of a YouTube-VIS JSON, one data item per video, in mmdet's
    video layout (mmdet's pipelines, ``TrackDataSample``s and
    ``YouTubeVISMetric`` take them as from mmdet's own datasets).

    Checked when the file is read, every problem listed at once (file and
    video named): an annotation whose per-frame lists are not as long as its
    video, a category the config does not name (``metainfo.classes``), a
    frame file that does not exist. Frames of another size than their video
    are refused when loaded, by ``CheckFrameSize`` in the pipeline. A video
    without annotations is kept
    (in training too: its clips have no targets, and the set loss takes
    them).

    Args:
        ann_file: the YouTube-VIS JSON.
        data_prefix: ``img_path``, the folder the ``file_names`` are
            relative to.
        metainfo: ``classes``, the category names, in label order.
        check_files: look every frame file up when the JSON is read.
        others: as mmdet's ``BaseVideoDataset``.
    """

    def __init__(self, *, ann_file: str, data_prefix: dict,
                 metainfo: Optional[dict] = None, data_root: str = '',
                 pipeline: Sequence = (), test_mode: bool = False,
                 check_files: bool = True, filter_cfg: Optional[dict] = None,
                 lazy_init: bool = False, serialize_data: bool = True,
                 backend_args: Optional[dict] = None) -> None:
        self.check_files = check_files
        super().__init__(ann_file=ann_file, data_prefix=data_prefix,
                         metainfo=metainfo, data_root=data_root,
                         pipeline=list(pipeline), test_mode=test_mode,
                         filter_cfg=filter_cfg, lazy_init=lazy_init,
                         serialize_data=serialize_data,
                         backend_args=backend_args)

    def load_data_list(self) -> List[dict]:
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'{self.ann_file}: no such YouTube-VIS '
                                    'annotation file')
        with open(self.ann_file) as f:
            raw = json.load(f)
        for key in ('videos', 'categories'):
            if key not in raw:
                raise ValueError(f'{self.ann_file}: not a YouTube-VIS JSON '
                                 f'(no "{key}")')
        names = {c['id']: c['name'] for c in raw['categories']}
        classes = list(self.metainfo['classes'])
        label_of = {cid: classes.index(name) for cid, name in names.items()
                    if name in classes}
        problems = []
        by_video = {}
        for ann in raw.get('annotations', []):
            by_video.setdefault(ann['video_id'], []).append(ann)
        data_list, next_image = [], 1
        for video in raw['videos']:
            where = (f'video {video["id"]} '
                     f'({osp.dirname(video["file_names"][0]) or "?"})')
            length = len(video['file_names'])
            frames = []
            for t, name in enumerate(video['file_names']):
                path = osp.join(self.data_prefix.get('img_path', ''), name)
                if self.check_files and not osp.isfile(path):
                    problems.append(f'{where}: frame {t} file {path} does not '
                                    'exist')
                frames.append(dict(
                    img_id=next_image + t, img_path=path, frame_id=t,
                    video_id=video['id'], width=video['width'],
                    height=video['height'], instances=[]))
            next_image += length
            for ann in by_video.get(video['id'], []):
                if ann['category_id'] not in label_of:
                    problems.append(
                        f'{where}: annotation {ann["id"]} has category '
                        f'{ann["category_id"]} '
                        f'({names.get(ann["category_id"], "not in the file")}'
                        f'), which the config\'s classes {tuple(classes)} do '
                        'not name')
                    continue
                lists = {k: len(ann.get(k) or []) for k in
                         ('segmentations', 'bboxes', 'areas')}
                if any(n != length for n in lists.values()):
                    problems.append(
                        f'{where}: annotation {ann["id"]} has '
                        f'{lists["segmentations"]} segmentations for '
                        f'{length} frames')
                    continue
                for t, (mask, box) in enumerate(zip(ann['segmentations'],
                                                    ann['bboxes'])):
                    if mask is None or box is None:
                        continue  # absent from this frame
                    x, y, w, h = box
                    frames[t]['instances'].append(dict(
                        bbox=[x, y, x + w, y + h],
                        bbox_label=label_of[ann['category_id']],
                        mask=mask, instance_id=ann['id'],
                        ignore_flag=int(ann.get('iscrowd', 0))))
            data_list.append(dict(video_id=video['id'], images=frames,
                                  video_length=length))
        if problems:
            raise ValueError(f'{self.ann_file}: {len(problems)} problem(s):\n'
                             + '\n'.join(problems))
        return data_list

    def filter_data(self) -> List[dict]:
        """Every video (one without annotations too)."""
        return self.data_list
