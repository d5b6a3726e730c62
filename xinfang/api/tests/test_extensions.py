from importlib.util import find_spec

import pytest

from xinfang.api.api import EXTENSION_MODULES
from xinfang.api.urls import MOUNTED
from xinfang.lib.optional import is_missing


def test_every_existing_extension_module_is_mounted_and_missing_ones_are_skipped():
    for module_path in EXTENSION_MODULES:
        assert (module_path in MOUNTED) == (find_spec(module_path) is not None), module_path


@pytest.mark.parametrize(
    ("missing_name", "skipped"),
    [
        ("xinfang.alerts.api", True),
        ("xinfang.alerts", True),
        ("jieba_extra", False),
        ("xinfang.alerts.apix", False),
    ],
)
def test_only_the_module_itself_missing_is_skipped(missing_name, skipped):
    error = ModuleNotFoundError(f"No module named {missing_name!r}", name=missing_name)
    assert is_missing(error, "xinfang.alerts.api") is skipped
