"""Command-line pieces shared by tools/train.py and tools/test.py."""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction


def _path(value: str, what: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError(f'empty: give {what}')
    if not osp.exists(value):
        raise argparse.ArgumentTypeError(f'{value}: no such file or folder')
    return value


def config_file(value: str) -> str:
    """argparse type: an existing Python config file (else argparse's
    one-line error naming the argument, exit 2)."""
    _path(value, 'a config file (.py)')
    if osp.isdir(value):
        raise argparse.ArgumentTypeError(
            f'{value} is a folder: give a config file (.py)')
    if not value.endswith('.py'):
        raise argparse.ArgumentTypeError(
            f'{value} is not a Python config file (.py)')
    return value


def existing_file(value: str) -> str:
    """argparse type: an existing file (not a folder)."""
    _path(value, 'a file')
    if osp.isdir(value):
        raise argparse.ArgumentTypeError(f'{value} is a folder: give a file')
    return value


def existing_path(value: str) -> str:
    """argparse type: an existing file or folder."""
    return _path(value, 'a file or folder')


def output_path(value: str) -> str:
    """argparse type: where to write a file: not empty, not a folder, and
    not below a file."""
    if not value.strip():
        raise argparse.ArgumentTypeError('empty: give the file to write')
    if osp.isdir(value):
        raise argparse.ArgumentTypeError(
            f'{value} is a folder: give the file to write')
    parent = osp.dirname(osp.abspath(value))
    while parent and not osp.exists(parent):
        parent = osp.dirname(parent)
    if parent and not osp.isdir(parent):
        raise argparse.ArgumentTypeError(f'{value}: {parent} is a file')
    return value


def work_dir(value: str) -> str:
    """argparse type: a folder to write in (made when missing)."""
    if not value.strip():
        raise argparse.ArgumentTypeError('empty: give a folder')
    if osp.exists(value) and not osp.isdir(value):
        raise argparse.ArgumentTypeError(f'{value} is a file: give a folder')
    return value


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """--work-dir, --cfg-options, --launcher and torchrun's --local-rank."""
    parser.add_argument('--work-dir', type=work_dir,
                        help='where logs, metrics and '
                        'checkpoints go (default work_dirs/CONFIG_NAME)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def load_config(args: argparse.Namespace) -> Config:
    """``args.config`` with the common options applied.

    Raises:
        FileNotFoundError: the config file does not exist.
    """
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'{args.config}: no such config file')
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options:
        check_option_keys(cfg, args.cfg_options)
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    return cfg


def check_option_keys(cfg: Config, options: dict) -> None:
    """Refuse a ``--cfg-options`` key whose first part is neither in the
    config nor an argument of mmengine's Runner (a typo such as
    ``trian_cfg.max_iters=2`` would otherwise be ignored silently).

    Raises:
        KeyError: naming the key and the closest known one.
    """
    import difflib
    import inspect

    from mmengine.runner import Runner
    known = set(cfg.keys()) | set(
        inspect.signature(Runner.__init__).parameters) - {'self'}
    for key in options:
        top = key.split('.')[0]
        if top not in known:
            close = difflib.get_close_matches(top, sorted(known), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ''
            raise KeyError(f"--cfg-options {key}: the config has no "
                           f"'{top}'{hint}")


def setup_cpu_distributed(cfg: Config) -> None:
    """Let ``--launcher pytorch`` (torchrun) and ``--launcher slurm`` (srun)
    run on machines without CUDA, with gloo.

    mmengine 0.10.7's ``init_dist`` calls ``torch.cuda.set_device`` and wraps
    the model with ``device_ids=[LOCAL_RANK]``, both wrong on CPU. When a
    launcher is set and CUDA is absent, the process group is started here
    with gloo (from torchrun's environment, or from Slurm's: the first node
    of ``SLURM_NODELIST`` as master, ``SLURM_PROCID`` as rank), the Runner
    then skips its own ``init_dist``, and DDP gets ``device_ids=None``.
    """
    import torch
    import torch.distributed as dist
    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available():
        return
    if cfg.launcher == 'slurm':
        _slurm_environment()
    elif cfg.launcher != 'pytorch':
        raise RuntimeError(f'--launcher {cfg.launcher} without CUDA: only '
                           'pytorch (torchrun) and slurm (srun) run on CPU')
    dist_cfg = cfg.env_cfg.setdefault('dist_cfg', {})
    dist_cfg['backend'] = 'gloo'
    if not dist.is_initialized():
        import datetime
        timeout = dist_cfg.get('timeout')
        dist.init_process_group(
            'gloo', init_method='env://', timeout=None if timeout is None
            else datetime.timedelta(seconds=timeout))
    wrapper = dict(cfg.get('model_wrapper_cfg') or {})
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper['device_ids'] = None
    wrapper.setdefault('broadcast_buffers', False)
    wrapper.setdefault('find_unused_parameters',
                       cfg.get('find_unused_parameters', False))
    cfg.model_wrapper_cfg = wrapper


def _slurm_environment() -> None:
    """torch.distributed's environment from an srun task's (as mmengine
    derives it for GPUs)."""
    import subprocess
    nodes = os.environ['SLURM_NODELIST']
    master = subprocess.run(['scontrol', 'show', 'hostnames', nodes],
                            capture_output=True, text=True,
                            check=True).stdout.split()[0]
    # the first node's address as Slurm knows it (NodeAddr: node names need
    # not resolve, e.g. several nodes on one host)
    record = subprocess.run(['scontrol', 'show', 'node', master, '-o'],
                            capture_output=True, text=True).stdout
    fields = dict(item.split('=', 1) for item in record.split()
                  if '=' in item)
    os.environ.setdefault('MASTER_ADDR', fields.get('NodeAddr', master))
    os.environ.setdefault('MASTER_PORT', '29500')
    os.environ['WORLD_SIZE'] = os.environ['SLURM_NTASKS']
    os.environ['RANK'] = os.environ['SLURM_PROCID']
    os.environ['LOCAL_RANK'] = os.environ['SLURM_LOCALID']


def resolve_resume(cfg: Config, resume: str) -> None:
    """Apply ``--resume [CKPT]`` to ``cfg``.

    ``auto`` (no path) resumes from the checkpoint the work dir's
    ``last_checkpoint`` names; with no such file it says so and trains from
    the start. A named checkpoint, or one ``last_checkpoint`` names, must
    exist.

    Raises:
        FileNotFoundError: the checkpoint to resume from does not exist.
    """
    if resume != 'auto':
        if not osp.isfile(resume):
            raise FileNotFoundError(f'--resume {resume}: no such checkpoint')
        cfg.resume, cfg.load_from = True, resume
        return
    record = osp.join(cfg.work_dir, 'last_checkpoint')
    if not osp.isfile(record):
        print(f'--resume: {cfg.work_dir} has no checkpoint yet (no '
              'last_checkpoint file): training starts from iteration 0',
              flush=True)
        cfg.resume, cfg.load_from = False, None
        return
    with open(record) as f:
        latest = f.read().strip()
    if not osp.isfile(latest):
        raise FileNotFoundError(
            f'--resume: {record} names {latest}, which does not exist; pass '
            'the checkpoint to resume from as --resume CKPT')
    cfg.resume, cfg.load_from = True, latest
