"""The export tests' model, checkpoint and scenes, made once per module
(each module exports its own files from them)."""
import pytest

from m2f_mm.testing.deploy_files import untrained_deploy_files


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    """:func:`~m2f_mm.testing.deploy_files.untrained_deploy_files`."""
    return untrained_deploy_files(tmp_path_factory.mktemp('deploy'))
