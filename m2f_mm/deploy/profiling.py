"""Where an exported graph spends its time: each ONNX node attributed to a
model stage (from the module path and source line the exporter records in
the node's metadata), and the runtimes' own per-operator timings (ONNX
Runtime's profiler, OpenVINO's performance counters) summed per stage and
per operator type."""
import ast
import collections
import json
import os
import os.path as osp
import re
import tempfile
from typing import Callable, Dict, List, Tuple

import numpy as np

#: the stages, in graph order
STAGES = ('preprocess', 'backbone', 'pixel decoder', 'transformer decoder',
          'upsample', 'postprocess')


def _stage_of(scopes: List[str], trace: str) -> str:
    """A node's stage from its module path (``name_scopes``) and the
    source lines of its stack trace (the calls DeployModel made)."""
    path = '.'.join(scopes)
    if scopes and scopes[0].startswith('_empty_nn_module_stack'):
        return 'preprocess'  # the input's sizes read (shape arithmetic)
    if 'pixel_decoder' in path:
        return 'pixel decoder'
    if any(s == 'head' or s.startswith('head.') for s in scopes):
        return 'transformer decoder'
    if 'backbone' in path or 'neck' in path:
        return 'backbone'
    if 'self.head(' in trace or 'extract_feat(' in trace:
        # size arithmetic the exporter put at the top level while tracing
        # the model: counted in the stage running around it
        return ''
    if 'self.preprocess(' in trace:
        return 'preprocess'
    # (the exporter records DeployModel's own statement: the resizes to
    # full size are statements of their own there)
    if any(call in trace for call in ('full_size(', 'self.upsample(',
                                      'self.crop(', 'size=out_size')):
        return 'upsample'
    return 'postprocess'


def node_stages(onnx_file: str) -> Dict[str, str]:
    """{ONNX node name: stage} for a file written by ``export_onnx``;
    ``''`` for nodes the exporter did not write (INT8's quantize and
    dequantize nodes) and for the size arithmetic between the model's
    modules: their time counts in the stage running around them."""
    import onnx
    graph = onnx.load(onnx_file, load_external_data=False).graph
    stages = {}
    for node in graph.node:
        props = {p.key: p.value for p in node.metadata_props}
        if 'pkg.torch.onnx.name_scopes' not in props:
            stages[node.name] = ''  # added after export (e.g. INT8's QDQ)
            continue
        try:
            scopes = ast.literal_eval(props.get('pkg.torch.onnx.name_scopes',
                                                '[]'))
        except (SyntaxError, ValueError):
            scopes = []
        trace = props.get('pkg.torch.onnx.stack_trace', '')
        lines = [line for line in trace.splitlines()
                 if not line.lstrip().startswith('File ')]
        stages[node.name] = _stage_of(scopes, '\n'.join(lines))
    return stages


class StageResolver:
    """A runtime's executed layer -> stage. Runtimes rename what they fuse or
    insert: a layer is looked up by its name, by the part before a '/'
    (also without ORT's '_token_N' suffix), by the ONNX node writing an
    output of that name (with ORT's '_nchwc' suffix dropped); a layer none of these find (layout reorders, fused
    layer-norms, ...) takes the stage of the layer executed before it."""

    def __init__(self, onnx_file: str) -> None:
        import onnx
        graph = onnx.load(onnx_file, load_external_data=False).graph
        self.stages = node_stages(onnx_file)
        self.owner = {out: node.name for node in graph.node
                      for out in node.output}
        self.previous = 'preprocess'

    def __call__(self, layer: str) -> str:
        base = layer.split('/')[0]
        for name in (layer, base, re.sub(r'_token_\d+$', '', base)):
            for candidate in (name, self.owner.get(name),
                              self.owner.get(name.replace('_nchwc', ''))):
                if candidate in self.stages:
                    self.previous = self.stages[candidate] or self.previous
                    return self.previous
        return self.previous


def _table(records: List[Tuple[str, str, float]], resolver: StageResolver,
           runs: int) -> dict:
    """(layer, op type, seconds) records in execution order, over ``runs``
    runs -> seconds per run by stage and by (stage, op type)."""
    by_stage = collections.Counter()
    by_op = collections.Counter()
    for layer, op_type, seconds in records:
        stage = resolver(layer)
        by_stage[stage] += seconds / runs
        by_op[(stage, op_type)] += seconds / runs
    return dict(stages=dict(by_stage), ops=dict(by_op))


def profile_onnxruntime(onnx_file: str, images: List[np.ndarray],
                        threads: int = 0) -> dict:
    """ONNX Runtime's per-node times over ``images`` (one warm-up run
    first, not counted): seconds per image by stage and by operator type."""
    import onnxruntime as ort
    with tempfile.TemporaryDirectory() as tmp:
        options = ort.SessionOptions()
        options.enable_profiling = True
        options.profile_file_prefix = osp.join(tmp, 'ort')
        if threads:
            options.intra_op_num_threads = threads
        session = ort.InferenceSession(onnx_file, options,
                                       providers=['CPUExecutionProvider'])
        session.run(None, {'images': images[0]})  # warm-up
        warm_marker = len(images)
        for image in images:
            session.run(None, {'images': image})
        trace_file = session.end_profiling()
        with open(trace_file) as f:
            events = json.load(f)
    # kernel events of the runs after the warm-up: model_run events mark runs
    run_starts = sorted(e['ts'] for e in events
                        if e.get('name') == 'model_run')
    first_counted = run_starts[-warm_marker] if run_starts else 0
    records = []
    for event in sorted(events, key=lambda e: e.get('ts', 0)):
        if event.get('cat') != 'Node' or \
                not event.get('name', '').endswith('_kernel_time') or \
                event['ts'] < first_counted:
            continue
        node = event['name'][:-len('_kernel_time')]
        records.append((node, event['args'].get('op_name', '?'),
                        event['dur'] * 1e-6))
    return _table(records, StageResolver(onnx_file), len(images))


def profile_openvino(onnx_file: str, images: List[np.ndarray],
                     config: dict = None) -> dict:
    """OpenVINO's performance counters over ``images`` (one warm-up run
    first): seconds per image by stage and by its layer type. OpenVINO
    fuses nodes; a fused layer keeps the name of one of the ONNX nodes (or
    its output) and is counted in that node's stage."""
    import openvino
    core = openvino.Core()
    compiled = core.compile_model(onnx_file, 'CPU', dict(
        config or {'INFERENCE_PRECISION_HINT': 'f32'}, PERF_COUNT='YES'))
    request = compiled.create_infer_request()
    request.infer([images[0]])  # warm-up
    records = []
    for image in images:
        request.infer([image])
        for info in request.profiling_info:  # in execution order
            if info.status == info.Status.EXECUTED:
                records.append((info.node_name, info.node_type,
                                info.real_time.total_seconds()))
    return _table(records, StageResolver(onnx_file), len(images))


def profile_pytorch(model, predict: Callable[[], object], runs: int) -> dict:
    """Seconds per image of PyTorch's ``predict`` by stage (backbone,
    pixel decoder, transformer decoder; the rest of predict, preprocessing
    and post-processing, as 'postprocess'), from timers around the model's
    modules."""
    import time
    from m2f_mm.models.segmentors.model_face import model_face
    face = model_face(model)
    head = face.head
    modules = dict(backbone=model.backbone,
                   pixel_decoder=head.pixel_decoder, head=head)
    spent = collections.Counter()
    started = {}
    handles = []
    for name, module in modules.items():
        def before(_module, _args, name=name):
            started[name] = time.perf_counter()

        def after(_module, _args, _out, name=name):
            spent[name] += time.perf_counter() - started[name]
        handles.append(module.register_forward_pre_hook(before))
        handles.append(module.register_forward_hook(after))
    try:
        predict()  # warm-up
        spent.clear()
        start = time.perf_counter()
        for _ in range(runs):
            predict()
        total = time.perf_counter() - start
    finally:
        for handle in handles:
            handle.remove()
    return dict(stages={
        'backbone': spent['backbone'] / runs,
        'pixel decoder': spent['pixel_decoder'] / runs,
        'transformer decoder':
        (spent['head'] - spent['pixel_decoder']) / runs,
        'postprocess': (total - spent['backbone'] - spent['head']) / runs,
    })


def format_profile(profiles: Dict[str, dict], top: int = 12) -> str:
    """Seconds per image by stage, one column per runtime, then each
    runtime's most expensive (stage, operator type) rows."""
    names = list(profiles)
    stages = [s for s in STAGES + ('unattributed', )
              if any(s in p['stages'] for p in profiles.values())]
    lines = ['stage'.ljust(22) + ''.join(n.rjust(18) for n in names)]
    for stage in stages:
        lines.append(stage.ljust(22) + ''.join(
            (f"{profiles[n]['stages'][stage]:.3f} s" if stage in
             profiles[n]['stages'] else '-').rjust(18) for n in names))
    lines.append('total'.ljust(22) + ''.join(
        f"{sum(profiles[n]['stages'].values()):.3f} s".rjust(18)
        for n in names))
    for name in names:
        ops = profiles[name].get('ops')
        if not ops:
            continue
        lines.append(f'{name}: the {top} most expensive operators by stage')
        for (stage, op), seconds in sorted(ops.items(),
                                           key=lambda kv: -kv[1])[:top]:
            lines.append(f'  {stage:20s} {op:24s} {seconds:.3f} s')
    return os.linesep.join(lines)
