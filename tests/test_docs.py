"""The README and docs/: a front door under 250 lines with a contents list
and the two commands first, links that resolve, the README's test command
equal to .ci/run's, and every command shown run by a test or by .ci/run
(its tool named in a test or in .ci/run, and each of its options used
there)."""
import glob
import os.path as osp
import re

import pytest

from m2f_mm.testing.tools import REPO_ROOT

README = osp.join(REPO_ROOT, 'README.md')
PAGES = [README] + sorted(glob.glob(osp.join(REPO_ROOT, 'docs', '*.md')))
MAIN_JOB = 'bash tools/setup.sh && python3 tools/quickstart.py'
TESTS = ('bash tools/setup.sh --with-slurm && python3 -m pytest tests -q -n 2 '
         '--dist loadfile')
#: a command line of a page: indented four spaces or in a ``` block
COMMAND = re.compile(r'^(?:[A-Z_]+=\S+ )*(?:python3?|bash) (tools/\S+)(.*)$')


def _read(path):
    with open(path) as f:
        return f.read()


def _code_lines(text):
    """Lines of indented blocks and of ``` blocks, stripped."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.startswith('```'):
            fenced = not fenced
            continue
        if fenced or line.startswith('    '):
            lines.append(line.strip())
    return lines


def _commands():
    """(page, command, tool path, options) of every command shown."""
    found = []
    for page in PAGES:
        for line in _code_lines(_read(page)):
            for part in line.split('&&'):
                match = COMMAND.match(part.split('#')[0].strip())
                if match:
                    options = re.findall(r'(?<![\w-])(--[a-z][\w-]*)',
                                         match.group(2))
                    found.append((osp.basename(page), part.strip(),
                                  match.group(1), options))
    return found


def _runners():
    """{file: text} of the tests (this one, which names the commands, left
    out) and .ci/run."""
    files = glob.glob(osp.join(REPO_ROOT, 'tests', '**', '*.py'),
                      recursive=True) + [osp.join(REPO_ROOT, '.ci', 'run')]
    return {f: _read(f) for f in files if osp.abspath(f) != osp.abspath(
        __file__)}


def test_readme_is_a_front_door():
    text = _read(README)
    assert len(text.splitlines()) < 250
    assert '## Contents' in text
    code = _code_lines(text)
    assert code[:2] == [MAIN_JOB, TESTS]  # the two commands first
    ci = _read(osp.join(REPO_ROOT, '.ci', 'run'))
    assert TESTS in ci  # CI runs the README's test command


def test_links_resolve():
    for page in PAGES:
        for target in re.findall(r'\]\(([^)#:]+)(?:#[^)]*)?\)', _read(page)):
            path = osp.normpath(osp.join(osp.dirname(page), target))
            assert osp.exists(path), f'{osp.basename(page)}: {target}'


def test_the_command_finder_reads_both_block_kinds():
    text = 'x\n\n    python3 tools/a.py X --b [--c]\n```\nbash tools/d.sh\n```\n'
    assert _code_lines(text) == ['python3 tools/a.py X --b [--c]',
                                 'bash tools/d.sh']


@pytest.mark.parametrize('page,command,tool,options', _commands(),
                         ids=lambda v: v if isinstance(v, str) else None)
def test_every_command_shown_is_run_by_a_test_or_ci(page, command, tool,
                                                    options):
    assert osp.isfile(osp.join(REPO_ROOT, tool)), f'{page}: {tool}'
    name = re.escape(osp.basename(tool))
    folder = re.escape(osp.basename(osp.dirname(tool)))
    pattern = re.compile(rf"{folder}['\"]?\s*[,/]\s*['\"]?{name}|"
                         rf"['\"]{name}['\"]")
    runners = {f: t for f, t in _runners().items() if pattern.search(t)}
    assert runners, f'{page}: no test runs {tool} ({command})'
    untested = [o for o in options
                if not any(f"'{o}" in t or f'"{o}' in t or f' {o}' in t
                           for t in runners.values())]
    assert not untested, f'{page}: {command}: {untested} not run by a test'
