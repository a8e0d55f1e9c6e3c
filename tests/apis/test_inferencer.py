"""Mask2FormerInferencer / tools/infer.py: its predictions equal the model's
on the test pipeline, the files it writes decode back to them, folders and
videos give one result per image/frame, bad input is named."""
import json
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import DefaultScope
from pycocotools import mask as mask_utils

import m2f_mm  # noqa: F401
from m2f_mm.apis import Mask2FormerInferencer
from m2f_mm.datasets import generate
from m2f_mm.testing.tools import REPO_ROOT

ROOT = REPO_ROOT
QUICKSTART = osp.join(ROOT, 'configs', 'quickstart',
                      'm2f_r18_shapes_panoptic.py')


@pytest.fixture(scope='module')
def scene(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('scene'))
    generate(root, dict(val=3), size=128)
    return root


@pytest.fixture(scope='module')
def inferencer(scene):
    cfg = Config.fromfile(QUICKSTART)
    cfg.model.test_cfg.object_mask_thr = 0.0  # untrained: keep segments
    cfg.model.test_cfg.overlap_thr = 0.0
    torch.manual_seed(0)
    inferencer = Mask2FormerInferencer(cfg, device='cpu')
    with torch.no_grad():  # untrained: make no-object unlikely
        inferencer.model.head.class_head.bias[-1] = -10
    return inferencer


def _reference(inferencer, scene, task):
    """The same image through the config's own test pipeline and predict."""
    cfg = inferencer.cfg
    steps = [s for s in cfg.test_dataloader.dataset.pipeline
             if 'Annotations' not in s['type']]
    scope = cfg.test_dataloader.dataset.get('_scope_', 'm2f_mm')
    with DefaultScope.overwrite_default_scope(scope):  # as the dataset builds it
        data = Compose(steps)(dict(
            img_path=osp.join(scene, 'images/val/000001.jpg'), img_id=0))
    model = inferencer.model
    batch = model.data_preprocessor(pseudo_collate([data]), False)
    with torch.no_grad():
        return model.predict(batch['inputs'], batch['data_samples'])[0]


def test_panoptic_matches_the_model_and_files_decode(inferencer, scene,
                                                      tmp_path):
    image = osp.join(scene, 'images/val/000001.jpg')
    result = inferencer(image, task='panoptic', out_dir=str(tmp_path))[0]
    ref = _reference(inferencer, scene, 'panoptic')
    ref_pan = ref.pred_panoptic_seg.sem_seg[0].numpy()
    pan = result['panoptic_seg']
    assert pan.shape == (128, 128)
    assert np.array_equal(pan >= 0, ref_pan % 1000 != 8)  # void agrees
    assert np.array_equal(pan[pan >= 0], ref_pan[pan >= 0])
    assert result['segments_info'], 'threshold 0 keeps segments'
    # the PNG + JSON are COCO panoptic: ids -> segments of the result
    png = cv2.imread(str(tmp_path / '000001_panoptic.png'))[..., ::-1]
    png = png.astype(np.int64)
    ids = png[..., 0] + 256 * png[..., 1] + 65536 * png[..., 2]
    info = json.load(open(tmp_path / '000001_panoptic.json'))
    for seg, ours in zip(info['segments_info'], result['segments_info']):
        assert np.array_equal(ids == seg['id'], pan == ours['id'])
        assert seg['category'] == ours['category']
    assert osp.isfile(tmp_path / '000001_panoptic_overlay.jpg')


def test_instance_and_semantic_from_the_same_weights(inferencer, scene,
                                                     tmp_path):
    image = osp.join(scene, 'images/val/000001.jpg')
    inst = inferencer(image, task='instance', out_dir=str(tmp_path),
                      score_thr=0.0)[0]
    ref = _reference(inferencer, scene, 'instance').pred_instances
    assert np.allclose(inst['scores'], ref.scores.numpy())
    assert np.array_equal(inst['masks'], ref.masks.numpy())
    saved = json.load(open(tmp_path / '000001_instances.json'))
    assert len(saved) == len(inst['masks'])
    decoded = mask_utils.decode(saved[0]['segmentation']).astype(bool)
    assert np.array_equal(decoded, inst['masks'][0])
    sem = inferencer(image, task='semantic', out_dir=str(tmp_path))[0]
    ref_sem = _reference(inferencer, scene, 'semantic').pred_sem_seg
    assert np.array_equal(sem['sem_seg'], ref_sem.sem_seg[0].numpy())
    png = cv2.imread(str(tmp_path / '000001_semantic.png'),
                     cv2.IMREAD_UNCHANGED)
    assert np.array_equal(png, sem['sem_seg'])


def test_folder_and_video(inferencer, scene, tmp_path):
    folder = osp.join(scene, 'images/val')
    results = inferencer(folder, task='panoptic')
    assert [r['name'] for r in results] == ['000001', '000002', '000003']
    video = str(tmp_path / 'clip.mp4')
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'mp4v'), 5,
                             (128, 128))
    for name in ('000001', '000002', '000003'):
        writer.write(cv2.imread(osp.join(folder, name + '.jpg')))
    writer.release()
    out = tmp_path / 'video_out'
    frames = inferencer(video, task='semantic', out_dir=str(out))
    assert [r['name'] for r in frames] == ['clip_000000', 'clip_000001',
                                           'clip_000002']
    assert osp.getsize(out / 'clip_overlay.mp4') > 0


def test_bad_input_is_named(inferencer, tmp_path):
    with pytest.raises(FileNotFoundError, match='nothing.jpg'):
        inferencer(str(tmp_path / 'nothing.jpg'))
    broken = tmp_path / 'broken.png'
    broken.write_bytes(b'not a picture')
    with pytest.raises(ValueError, match='broken.png'):
        inferencer(str(broken))
    with pytest.raises(ValueError, match='task'):
        inferencer(str(broken), task='depth')


@pytest.mark.slow
def test_tool_cli(scene, tmp_path):
    import m2f_mm.models  # noqa: F401
    cfg = Config.fromfile(QUICKSTART)
    from mmengine.registry import init_default_scope
    from m2f_mm.registry import MODELS
    init_default_scope('m2f_mm')
    ckpt = str(tmp_path / 'model.pth')
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, ckpt)
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'infer.py'), QUICKSTART,
         ckpt, osp.join(scene, 'images/val/000002.jpg'), '--task',
         'instance', '--out-dir', str(tmp_path / 'out'), '--device', 'cpu'],
        capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert osp.isfile(tmp_path / 'out' / '000002_instances.json')
    assert osp.isfile(tmp_path / 'out' / '000002_instance_overlay.jpg')


def test_semantic_config_gives_semantic_only(scene, tmp_path):
    """An mmseg-side config (EncoderDecoder + M2FDecodeHead), made small."""
    config = tmp_path / 'small_ade.py'
    config.write_text(
        f"_base_ = ['{ROOT}/configs/m2f_r50_ade20k_semantic.py']\n"
        "model = dict(backbone=dict(depth=18, init_cfg=None), decode_head=dict("
        "head=dict(in_channels=[64, 128, 256, 512], num_queries=10, "
        "transformer_decoder=dict(num_layers=3),"
        " pixel_decoder=dict(num_layers=1))))\n")
    inferencer = Mask2FormerInferencer(str(config), device='cpu')
    image = osp.join(scene, 'images/val/000002.jpg')
    result = inferencer(image, task='semantic', out_dir=str(tmp_path))[0]
    assert result['sem_seg'].shape == (128, 128)  # back at the image size
    assert result['sem_seg'].max() < 150
    assert len(inferencer.classes) == 150  # mmseg's ADE20K names
    assert osp.isfile(tmp_path / '000002_semantic_overlay.jpg')
    with pytest.raises(ValueError, match='semantic model'):
        inferencer(image, task='panoptic')


def test_overlays_use_the_config_palette(inferencer):
    """Colours come from the dataset's palette (sky blue, grass green), not
    a grey stand-in: on a black image each class's pixels are that class's
    colour times the visualiser's alpha."""
    from m2f_mm.apis.writers import SemanticWriter
    cfg = Config.fromfile(QUICKSTART)
    palette = cfg.test_dataloader.dataset.metainfo.palette
    assert inferencer.meta.palette == tuple(map(tuple, palette))
    black = np.zeros((128, 128, 3), np.uint8)
    writer = SemanticWriter(inferencer.meta)
    sample = inferencer._predict(black, 'black', 'semantic')
    labels = writer.result(sample, 0.3)['sem_seg']
    overlay = writer.draw(black, sample, 0.3).astype(float)
    alpha = writer.visualizer.alpha
    for label in np.unique(labels):
        colour = np.median(overlay[labels == label], axis=0)  # BGR
        expected = alpha * np.array(palette[label][::-1], float)
        assert np.abs(colour - expected).max() <= 2, (label, colour)


@pytest.mark.slow
def test_tool_finishes_the_good_files_and_names_the_bad(scene, tmp_path):
    """A folder with an unreadable file, and two inputs sharing a stem: every
    good image is written under its own name, the bad one is reported at the
    end, and the exit code says something failed."""
    import shutil
    import m2f_mm.models  # noqa: F401
    from mmengine.registry import init_default_scope
    from m2f_mm.registry import MODELS
    cfg = Config.fromfile(QUICKSTART)
    init_default_scope('m2f_mm')
    ckpt = str(tmp_path / 'model.pth')
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, ckpt)
    folder = tmp_path / 'images'
    folder.mkdir()
    for name in ('000001', '000002', '000003'):
        shutil.copy(osp.join(scene, 'images/val', name + '.jpg'), folder)
    (folder / '000002.png').write_bytes(b'broken')  # sorts before 000003
    cv2.imwrite(str(folder / '000001.png'),
                cv2.imread(str(folder / '000001.jpg')))
    out = tmp_path / 'out'
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'infer.py'), QUICKSTART,
         ckpt, str(folder), '--task', 'semantic', '--out-dir', str(out),
         '--device', 'cpu'], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert '4 images predicted' in proc.stdout
    assert '000002.png: not a readable image' in proc.stderr
    written = sorted(p.name for p in out.glob('*_semantic.png'))
    assert written == ['000001_jpg_semantic.png', '000001_png_semantic.png',
                       '000002_jpg_semantic.png', '000003_semantic.png']


@pytest.mark.slow
def test_a_checkpoint_of_another_config_is_refused(scene, tmp_path):
    """Strict by default, in the inferencer and in tools/test.py: the error
    names the file and the first keys that differ."""
    from mmengine.registry import init_default_scope
    from m2f_mm.registry import MODELS
    from m2f_mm.utils import CheckpointMismatchError
    cfg = Config.fromfile(QUICKSTART)
    cfg.model.num_stuff_classes = 5  # another class count: other shapes
    init_default_scope('m2f_mm')
    ckpt = str(tmp_path / 'other.pth')
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, ckpt)
    with pytest.raises(CheckpointMismatchError,
                       match=r'other.pth does not fit.*class_head.weight'):
        Mask2FormerInferencer(QUICKSTART, ckpt, device='cpu')
    loose = Mask2FormerInferencer(QUICKSTART, ckpt, device='cpu', strict=False)
    assert loose.model.head.class_head.out_features == 9
    from m2f_mm.testing.shapes_cli import data_options
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'test.py'), QUICKSTART, ckpt,
         '--work-dir', str(tmp_path / 'work'), '--cfg-options',
         *data_options('panoptic', osp.join(scene, ''))],
        capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode != 0
    assert 'CheckpointMismatchError' in proc.stderr
    assert 'other.pth does not fit' in proc.stderr
