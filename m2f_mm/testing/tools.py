"""Scripts of the repository's ``tools/`` loaded as modules (their functions
tested without a subprocess), without touching ``sys.path``."""
import importlib.util
import os.path as osp
import sys
from types import ModuleType

#: The repository's root: tools/, configs/ and tests/ lie beside m2f_mm/.
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_tool(path: str) -> ModuleType:
    """The script ``path`` (relative to the repository's root, e.g.
    ``'tools/analysis/get_flops.py'``) as a module, loaded once per process
    (its ``__name__`` is not ``'__main__'``, so its ``main`` does not run).

    Raises:
        FileNotFoundError: no such script (e.g. an installed, non-editable
            m2f_mm has no tools/).
    """
    full = osp.join(REPO_ROOT, path)
    if not osp.isfile(full):
        raise FileNotFoundError(f'{full}: no such script')
    name = 'm2f_mm_tools.' + osp.splitext(path)[0].replace('/', '.')
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, full)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def logged_scalars(work_dir: str, key: str = 'loss') -> dict:
    """``{iteration: value}`` of ``key`` over every run in ``work_dir`` (the
    runs' ``vis_data/scalars.json``, in time order: a resumed run's records
    follow the interrupted one's)."""
    import glob
    import json
    out = {}
    for path in sorted(glob.glob(osp.join(str(work_dir), '*', 'vis_data',
                                          'scalars.json'))):
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                if key in record:
                    out[record['step']] = record[key]
    return out
