"""The package's shape: no import cycle among its subpackages, dependencies
one way (tools -> apis -> engine/deploy -> models/datasets -> utils), and
importing it changes nothing global in mmengine or torch."""
import ast
import os
import os.path as osp
import subprocess
import sys

from m2f_mm.testing.tools import REPO_ROOT

PACKAGE = osp.join(REPO_ROOT, 'm2f_mm')

#: What each subpackage may import (besides itself, the registry and the
#: package root's version). m2f_mm.testing may import anything: it is not
#: part of the library, nothing in it imports it.
ALLOWED = {
    'utils': set(),
    'registry': set(),
    'models': {'utils'},
    'task_modules': {'models', 'utils'},
    'datasets': {'utils'},
    'evaluation': {'utils'},
    'visualization': {'utils'},
    'converters': {'utils'},
    'engine': {'models', 'datasets', 'converters', 'utils'},
    'deploy': {'models', 'utils'},
    'apis': {'engine', 'deploy', 'models', 'datasets', 'utils'},
}


def _imports():
    """{module: {imported m2f_mm module, ...}} from the source, every import
    statement included (those inside functions too)."""
    graph = {}
    for folder, _, names in os.walk(PACKAGE):
        for name in names:
            if not name.endswith('.py'):
                continue
            path = osp.join(folder, name)
            module = osp.relpath(path, REPO_ROOT)[:-3].replace(os.sep, '.')
            is_init = module.endswith('.__init__')
            module = module[:-len('.__init__')] if is_init else module
            package = module if is_init else module.rsplit('.', 1)[0]
            targets = set()
            for node in ast.walk(ast.parse(open(path).read())):
                if isinstance(node, ast.Import):
                    targets |= {a.name for a in node.names}
                elif isinstance(node, ast.ImportFrom):
                    if node.level:
                        base = package.split('.')
                        base = base[:len(base) - node.level + 1]
                        stem = '.'.join(base + ([node.module] if node.module
                                                else []))
                        targets |= ({stem} if node.module else
                                    {f'{stem}.{a.name}' for a in node.names})
                    else:
                        targets.add(node.module)
            graph[module] = {t for t in targets
                             if t == 'm2f_mm' or t.startswith('m2f_mm.')}
    return graph


def _unit(module: str, depth: int) -> str:
    return '.'.join(module.split('.')[:depth])


def _cycle(edges):
    """One cycle of the graph {node: {node}} as a list, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = 'open'
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 'open':
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = 'done'
        stack.pop()
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _unit_edges(depth: int):
    edges = {}
    for module, targets in _imports().items():
        if module == 'm2f_mm':
            continue  # the root imports its subpackages to register them
        for target in targets:
            a, b = _unit(module, depth), _unit(target, depth)
            # a package's __init__ importing its own modules is no edge
            if a != b and not b.startswith(a + '.') and target != 'm2f_mm':
                edges.setdefault(a, set()).add(b)
    return edges


def test_no_import_cycle_among_subpackages():
    for depth in (2, 3):  # m2f_mm.models, and m2f_mm.models.heads ...
        assert _cycle(_unit_edges(depth)) is None, _cycle(_unit_edges(depth))


def test_no_module_imports_the_package_root():
    """``import m2f_mm`` inside the package would reach every subpackage
    from the lowest layer."""
    offenders = [m for m, targets in _imports().items()
                 if 'm2f_mm' in targets and m != 'm2f_mm']
    assert not offenders


def test_dependencies_point_one_way():
    wrong = []
    for a, targets in _unit_edges(2).items():
        part = a.split('.')[1]
        if part == 'testing':
            continue
        for b in targets:
            other = b.split('.')[1]
            if other != 'registry' and other not in ALLOWED.get(part, set()):
                wrong.append(f'{a} -> {b}')
    assert not wrong, wrong


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}}) == ['a', 'b', 'c', 'a']
    assert _cycle({'a': {'b'}, 'b': {'c'}}) is None


_SNAPSHOT = r'''
import json, sys
import torch
import mmengine.config.config as config_module
import mmengine.hub.hub as hub_module
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner import checkpoint as ckpt, runner
from mmengine.runner.checkpoint import CheckpointLoader


def state():
    return {
        'schemes': {k: repr(v) for k, v in CheckpointLoader._schemes.items()},
        'load_url': repr(ckpt.load_url),
        'get_installed_path': [repr(config_module.get_installed_path),
                               repr(hub_module.get_installed_path)],
        'worker_init': repr(runner.default_worker_init_fn),
        'history_reduce': repr(HistoryBuffer.__reduce__),
        'hub_state_dict': repr(MessageHub.state_dict),
        # torch adds its own entries as its modules load; ours is this one
        'history_buffer_allowed':
            HistoryBuffer in torch.serialization.get_safe_globals(),
    }


before = state()
import m2f_mm
import m2f_mm.apis, m2f_mm.converters, m2f_mm.deploy, m2f_mm.testing
after_import = state()
from m2f_mm.utils import register_all_modules
register_all_modules()
after_call = state()
print(json.dumps([before, after_import, after_call]))
'''


def test_importing_m2f_mm_changes_nothing_global_register_all_modules_does():
    """A plain mmdet user who imports one of our modules keeps mmengine's
    functions; the one explicit call installs ours."""
    import json
    out = subprocess.run([sys.executable, '-c', _SNAPSHOT], check=True,
                         capture_output=True, text=True, cwd=REPO_ROOT).stdout
    before, after_import, after_call = json.loads(out.splitlines()[-1])
    assert after_import == before
    changed = {k for k in before if after_call[k] != before[k]}
    assert changed == set(before), set(before) - changed
