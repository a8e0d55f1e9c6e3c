"""Check that the m2f_mm stack is installed and usable; say how to fix what is not.

    python tools/verify_env.py [--quiet] [--root REPO]

Exit status 0 when everything is in place, 1 otherwise.
"""
import argparse
import importlib
import os.path as osp
import sys

PINS = {'mmengine': '0.10.7', 'mmcv': '2.1.0', 'mmdet': '3.3.0', 'mmseg': '1.2.2'}
FIX = 'run `bash tools/setup.sh`'


def check(root):
    """Return a list of problems, each with its fix."""
    problems = []
    try:
        import torch  # noqa: F401
    except ImportError:
        return [f'torch is not installed: {FIX} (installs torch==2.13.0 CPU)']
    for name, version in PINS.items():
        try:
            mod = importlib.import_module(name)
        except Exception as err:  # noqa: BLE001 - report any import failure
            problems.append(f'{name} does not import ({err}): {FIX}')
            continue
        if mod.__version__ != version:
            problems.append(f'{name} is {mod.__version__}, m2f_mm needs '
                            f'{version}: {FIX}')
    try:
        import mmcv._ext  # noqa: F401
        from mmcv.ops import MultiScaleDeformableAttention  # noqa: F401
    except Exception as err:  # noqa: BLE001
        problems.append(
            f'mmcv was built without its compiled ops ({err}): remove it '
            '(`pip uninstall -y mmcv`) and the cached wheel '
            '(~/.cache/m2f_mm/wheels/*/mmcv-*), then {FIX}'.replace('{FIX}', FIX))
    for name in ('scipy', 'pycocotools', 'panopticapi', 'cityscapesscripts',
                 'cv2', 'ftfy', 'regex', 'pytest', 'onnx', 'onnxscript',
                 'onnxruntime', 'openvino', 'transformers', 'safetensors'):
        try:
            importlib.import_module(name)
        except Exception as err:  # noqa: BLE001
            problems.append(f'{name} does not import ({err}): {FIX}')
    try:
        import m2f_mm
        where = osp.dirname(osp.dirname(osp.abspath(m2f_mm.__file__)))
        if root and osp.realpath(where) != osp.realpath(root):
            problems.append(f'm2f_mm is imported from {where}, not from this '
                            f'clone {root}: {FIX}')
    except Exception as err:  # noqa: BLE001
        problems.append(f'm2f_mm does not import ({err}): {FIX}')
        return problems
    from m2f_mm.models.layers.deformable_sampling_cpu import built_library
    if not osp.exists(built_library()):
        problems.append('the CPU deformable-sampling op is not compiled for '
                        f'this source and torch ({built_library()}): {FIX}')
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--quiet', action='store_true')
    parser.add_argument('--root', default=None, help='the clone m2f_mm must come from')
    args = parser.parse_args()
    problems = check(args.root)
    if problems:
        if not args.quiet:
            for p in problems:
                print(f'[m2f_mm verify] PROBLEM: {p}', file=sys.stderr)
        return 1
    if not args.quiet:
        import mmcv
        import torch
        print(f'[m2f_mm verify] ok: torch {torch.__version__}, mmcv '
              f'{mmcv.__version__} with ops, mmengine/mmdet/mmseg pinned, '
              'm2f_mm from this clone with its CPU op compiled')
    return 0


if __name__ == '__main__':
    sys.exit(main())
