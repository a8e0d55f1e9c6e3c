"""mmengine's CheckpointHook with writes that cannot lose work."""
import os
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook

from m2f_mm.registry import HOOKS


def _replace_text(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a whole old or a whole new
    file, whatever happens)."""
    tmp = f'{path}.tmp'
    with open(tmp, 'w') as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@HOOKS.register_module()
class M2FCheckpointHook(CheckpointHook):
    """``CheckpointHook`` (same arguments) whose checkpoint writes cannot
    lose work, whenever the process dies:

    * a checkpoint is written to ``<name>.tmp`` and renamed into place, so a
      file under a checkpoint's name is always complete;
    * ``last_checkpoint`` is replaced atomically, after the checkpoint it
      names is complete;
    * checkpoints beyond ``max_keep_ckpts`` are deleted only after that, so
      the previous checkpoint exists until the new one can replace it
      (mmengine deletes it before writing the new one).
    """

    def _save_checkpoint_with_step(self, runner, step, meta):
        stale = []
        if self.max_keep_ckpts > 0 and not (
                self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step):
            self.keep_ckpt_ids.append(step)
            while len(self.keep_ckpt_ids) > self.max_keep_ckpts:
                stale.append(self.keep_ckpt_ids.popleft())
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        local = isinstance(self.file_backend, LocalBackend)
        runner.save_checkpoint(
            self.out_dir, f'{filename}.tmp' if local else filename,
            self.file_client_args, save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler, meta=meta,
            by_epoch=self.by_epoch, backend_args=self.backend_args,
            **self.args)
        if not is_main_process():
            return
        if local:
            os.replace(f'{self.last_ckpt}.tmp', self.last_ckpt)
        _replace_text(osp.join(runner.work_dir, 'last_checkpoint'),
                      self.last_ckpt)
        for old in stale:
            path = self.file_backend.join_path(
                self.out_dir, self.filename_tmpl.format(old))
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
