"""Safe checkpoints for mmengine 0.10.7 under torch >= 2.6.

torch >= 2.6 loads with ``weights_only=True`` by default, and a plain mmengine
Runner checkpoint does not load that way: its message hub holds
``HistoryBuffer`` objects whose numpy arrays pickle through numpy reconstructors
and ``builtins.getattr``. Allow-listing ``getattr`` would let a checkpoint call
any attribute of any allowed object, i.e. run code, so we do not. Instead:

* a ``HistoryBuffer`` pickles as ``HistoryBuffer(list, list, int)``: plain
  Python floats/ints, so only the class itself is allow-listed;
* numpy values elsewhere in the message hub's runtime info are turned into
  Python values when the Runner collects them (see ``_plain``);
* mmengine's checkpoint loaders are replaced by ones that keep
  ``weights_only=True`` and, when a file holds anything else, raise
  :class:`UnsafeCheckpointError` naming the file and the refused global: for
  local files and for every remote scheme mmengine knows (``http(s)://``,
  ``torchvision://``/``modelzoo://``, ``open-mmlab://``/``openmmlab://``,
  ``mmcls://``, ``pavi://``, ``s3://``/``petrel://``). A remote checkpoint is downloaded
  to torch's hub cache (``$TORCH_HOME/hub/checkpoints/<file name>``, where
  mmengine and torch put it too) and loaded from there like a local file, so
  a poisoned cache is refused as well.

Nothing switches safety off globally: no ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD``,
no ``weights_only=False``.
"""
import io
import os
import os.path as osp
import pickle
import tempfile
from urllib.parse import urlparse

import numpy as np
import torch
from mmengine.dist import get_dist_info
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner import checkpoint as mmengine_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds objects that ``weights_only`` loading refuses."""


class CheckpointMismatchError(ValueError):
    """A checkpoint whose weights do not fit the model of the config."""


class CorruptCheckpointError(ValueError):
    """A checkpoint file that is empty, truncated or not torch's format."""


def _history_buffer_reduce(self):
    """Pickle a HistoryBuffer as its constructor call on plain lists."""
    return (HistoryBuffer, (self._log_history.tolist(),
                            self._count_history.tolist(), self.max_length))


def _plain(value):
    """Turn numpy scalars and arrays (nested in dicts/lists) into Python values."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


_message_hub_state_dict = MessageHub.state_dict


def _message_hub_plain_state_dict(self):
    """MessageHub.state_dict with numpy runtime values made plain."""
    state = _message_hub_state_dict(self)
    state['runtime_info'] = _plain(state['runtime_info'])
    return state


def _refuse(where: str, err: pickle.UnpicklingError, unsafe=None):
    return UnsafeCheckpointError(
        f'{where}: refused to load, it pickles objects that are not plain '
        f'tensors/containers: {unsafe or str(err).splitlines()[0]}. Loading '
        'it could run arbitrary code. If you trust the file, convert it once '
        'with torch.load(..., weights_only=False) and save only its state '
        'dicts.')


def load_local_checkpoint(filename, map_location=None):
    """Load a local checkpoint with ``weights_only=True``.

    Raises:
        FileNotFoundError: the file does not exist.
        UnsafeCheckpointError: the file pickles a global that is not on
            torch's allow-list (e.g. an arbitrary callable).
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    size = osp.getsize(filename)
    if size == 0:
        raise CorruptCheckpointError(
            f'{filename}: the checkpoint is empty (0 bytes), e.g. a write '
            'that was killed; use an earlier checkpoint')
    try:
        return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        if 'legacy' in str(err).lower() or not _is_zip(filename):
            raise _not_a_checkpoint(filename, size, err) from None
        unsafe = torch.serialization.get_unsafe_globals_in_checkpoint(filename)
        raise _refuse(filename, err, unsafe) from None
    except (EOFError, RuntimeError, ValueError, KeyError) as err:
        raise _not_a_checkpoint(filename, size, err) from None


def _is_zip(filename: str) -> bool:
    with open(filename, 'rb') as f:
        return f.read(4) == b'PK\x03\x04'


def _not_a_checkpoint(filename: str, size: int, err: Exception):
    """The error for a file torch cannot read as a checkpoint, saying why."""
    if _is_zip(filename):
        why = ('the checkpoint is truncated (its zip archive ends early: a '
               'write that was killed or a partial copy); use an earlier '
               'checkpoint')
    else:
        why = ('not a checkpoint in torch.save\'s (zip) format: a file saved '
               'with _use_new_zipfile_serialization=False, a raw pickle, or '
               'not a checkpoint at all; re-save its state dicts with '
               'torch.save in a trusted environment')
    return CorruptCheckpointError(
        f'{filename} ({size} bytes): {why} ({type(err).__name__}: '
        f'{str(err).splitlines()[0][:160]})')


def _load_bytes(data: bytes, where: str, map_location=None):
    """``weights_only`` loading of a checkpoint held in memory."""
    try:
        return torch.load(io.BytesIO(data), map_location=map_location,
                          weights_only=True)
    except pickle.UnpicklingError as err:
        raise _refuse(where, err) from None


def cached_url_path(url: str) -> str:
    """Where torch's hub cache keeps the file of ``url``."""
    return osp.join(torch.hub.get_dir(), 'checkpoints',
                    osp.basename(urlparse(url).path))


def load_url_checkpoint(url: str, model_dir=None, map_location=None,
                        progress: bool = False, **_):
    """Download ``url`` to the hub cache once (rank 0 first, the others wait)
    and load it with ``weights_only=True``, as a local file.

    The signature is mmengine's ``load_url``'s, which this replaces.
    """
    cached = (osp.join(model_dir, osp.basename(urlparse(url).path))
              if model_dir else cached_url_path(url))

    def fetch():
        if not osp.isfile(cached):
            os.makedirs(osp.dirname(cached), exist_ok=True)
            torch.hub.download_url_to_file(url, cached, progress=progress)

    rank, world_size = get_dist_info()
    if rank == 0:
        fetch()
    if world_size > 1:
        torch.distributed.barrier()
        fetch()
    return load_local_checkpoint(cached, map_location)


def torchvision_urls() -> dict:
    """torchvision's weight URLs by name (mmengine's table); without
    torchvision installed, mmengine's copy of torchvision 0.12's names
    (``resnet50`` ...), which is what our configs use."""
    try:
        return mmengine_checkpoint.get_torchvision_models()
    except ImportError:
        import mmengine
        return mmengine.load(osp.join(mmengine.__path__[0], 'hub',
                                      'torchvision_0.12.json'))


def load_from_torchvision(filename, map_location=None):
    """``torchvision://NAME`` (or the old ``modelzoo://NAME``): the URL of
    torchvision's weights, loaded safely."""
    name = filename.split('://', 1)[1]
    urls = torchvision_urls()
    if name not in urls:
        raise KeyError(f'{filename}: no torchvision weights of that name; '
                       f'known: {", ".join(sorted(urls)[:12])}, ...')
    return mmengine_checkpoint.load_from_http(urls[name],
                                              map_location=map_location)


def load_from_openmmlab(filename, map_location=None):
    """``open-mmlab://NAME``: mmengine's name table, then a URL or a file
    in mmengine's home, loaded safely."""
    prefix = 'open-mmlab://' if filename.startswith('open-mmlab://') \
        else 'openmmlab://'
    name = filename[len(prefix):]
    name = mmengine_checkpoint.get_deprecated_model_names().get(name, name)
    url = mmengine_checkpoint.get_external_models()[name]
    if url.startswith(('http://', 'https://')):
        return mmengine_checkpoint.load_from_http(url, map_location=map_location)
    return load_local_checkpoint(
        osp.join(mmengine_checkpoint._get_mmengine_home(), url), map_location)


def load_from_ceph(filename, map_location=None, backend='petrel'):
    """``s3://``: read through mmengine's file backend, loaded safely."""
    from mmengine import fileio
    data = fileio.get(filename, backend_args=dict(backend=backend))
    return _load_bytes(data, filename, map_location)


def load_from_pavi(filename, map_location=None):
    """``pavi://``: downloaded by pavi into a temporary folder, loaded
    safely."""
    from pavi import modelcloud
    model = modelcloud.get(filename[len('pavi://'):])
    with tempfile.TemporaryDirectory() as folder:
        path = osp.join(folder, model.name)
        model.download(path)
        return load_local_checkpoint(path, map_location)


def check_fits(model, checkpoint: dict, filename: str, config: str = '',
               shown: int = 5) -> None:
    """Refuse a checkpoint whose state dict does not fit ``model``: keys
    missing, keys the model lacks, or other shapes (a checkpoint of another
    config would otherwise load with warnings and give a mostly random
    model).

    Raises:
        CheckpointMismatchError: naming the file, the config and the first
            ``shown`` keys of each kind.
    """
    state = checkpoint.get('state_dict', checkpoint)
    state = {k[len('module.'):] if k.startswith('module.') else k: v
             for k, v in state.items()}
    expected = model.state_dict()
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    reshaped = [f'{k} {tuple(state[k].shape)} != {tuple(v.shape)}'
                for k, v in expected.items()
                if k in state and hasattr(state[k], 'shape')
                and state[k].shape != v.shape]
    if not (missing or unexpected or reshaped):
        return
    parts = []
    for what, keys in (('missing from the checkpoint', missing),
                       ('not in the model', unexpected),
                       ('of another shape (checkpoint != model)', reshaped)):
        if keys:
            more = f', ... ({len(keys)} in all)' if len(keys) > shown else ''
            parts.append(f'{len(keys)} keys {what}: '
                         f'{", ".join(keys[:shown])}{more}')
    raise CheckpointMismatchError(
        f'{filename} does not fit the model of {config or "the config"}: '
        + '; '.join(parts) + '. Is it the checkpoint of another config? '
        'Pass the config it was trained with (or --non-strict to load what '
        'fits).')


_installed = False


def install_safe_checkpoints():
    """Make mmengine checkpoints save and load with weights_only semantics.

    Idempotent; a global change of mmengine and torch's allow-list, made by
    ``m2f_mm.utils.register_all_modules`` (not by importing m2f_mm).
    """
    global _installed
    if _installed:
        return
    HistoryBuffer.__reduce__ = _history_buffer_reduce
    MessageHub.state_dict = _message_hub_plain_state_dict
    torch.serialization.add_safe_globals([HistoryBuffer])
    CheckpointLoader.register_scheme(prefixes='', force=True)(
        load_local_checkpoint)
    # http(s) and mmcls reach mmengine's load_from_http, which downloads and
    # loads through this module-level name
    mmengine_checkpoint.load_url = load_url_checkpoint
    CheckpointLoader.register_scheme(
        prefixes=('torchvision://', 'modelzoo://'), force=True)(
            load_from_torchvision)
    CheckpointLoader.register_scheme(
        prefixes=('open-mmlab://', 'openmmlab://'), force=True)(
            load_from_openmmlab)
    CheckpointLoader.register_scheme(
        prefixes=[r'(\S+\:)?s3://', r'(\S+\:)?petrel://'], force=True)(
            load_from_ceph)
    CheckpointLoader.register_scheme(prefixes='pavi://', force=True)(
        load_from_pavi)
    _installed = True
