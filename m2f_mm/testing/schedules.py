"""The quickstart schedule stretched or shrunk to another length, for the
reference runs of ``tools/experiments/`` that compare against the quickstart
at a given budget."""


def rescale_schedule(cfg, iters: int) -> None:
    """Set ``cfg`` (a quickstart config) to ``iters`` iterations, with the
    x0.1 step at the same share of the run as in the quickstart."""
    decay_at = cfg.param_scheduler[1].milestones[0] / cfg.train_cfg.max_iters
    cfg.train_cfg.max_iters = iters
    cfg.param_scheduler[1].end = iters
    cfg.param_scheduler[1].milestones = [int(iters * decay_at)]  # same share
