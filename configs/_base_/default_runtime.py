# Runtime shared by every m2f_mm config, both faces (mmdet's defaults, our
# scope). The visualiser comes with the model base of each face.
default_scope = 'm2f_mm'  # bare type names are ours; mmdet/mmseg ones take 'mmdet.'/'mmseg.'
custom_imports = dict(imports=['m2f_mm'], allow_failed_imports=False)  # registers our classes
default_hooks = dict(
    timer=dict(type='IterTimerHook'),  # iteration and data time
    logger=dict(type='LoggerHook', interval=50,  # every 50 iterations, ETA included
                log_metric_by_epoch=False),  # val metrics logged at their iteration
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='M2FCheckpointHook', interval=5000, by_epoch=False,
                    save_last=True, max_keep_ckpts=3),  # resumable, never lost
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='M2FVisualizationHook'))  # either face's visualiser
custom_hooks = [
    dict(type='ClassCountHook'),  # model's class counts = the dataset's
    dict(type='FiniteLossHook'),  # stop at a NaN/Inf loss, naming it
    # load_from may name an mmdet/mmseg Mask2Former checkpoint (its keys renamed)
    dict(type='MMDetCheckpointKeysHook'),
    # SIGUSR1/SIGTERM: checkpoint at the next iteration, requeue a Slurm job
    dict(type='PreemptionHook'),
    # several processes: a stopped or dead rank stops the job, named
    dict(type='RankWatchHook'),
]
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # timeout: seconds a collective may wait, and a rank may be silent
    # (RankWatchHook), before the job stops; above the longest metric
    # computation on rank 0 (the others wait for it)
    dist_cfg=dict(backend='nccl', timeout=900))
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
log_level = 'INFO'
# test-time augmentation (tools/test.py --tta): the model runs on every view of
# the dataset base's tta_pipeline and the views are merged per query
tta_model = dict(type='M2FTTAModel')
load_from = None  # a checkpoint to start from
resume = False  # resume from the latest checkpoint in work_dir
