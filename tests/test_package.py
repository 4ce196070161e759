"""The package as a whole: every module imports on its own, so no import cycle hides behind import order."""
import pkgutil
import subprocess
import sys

import pytest

import reconcile

MODULES = sorted(info.name for info in pkgutil.walk_packages(reconcile.__path__, "reconcile."))


def test_the_package_has_its_modules():
    assert {"reconcile.cli", "reconcile.checks", "reconcile.shacl.engine", "reconcile.export"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_in_a_fresh_interpreter(module):
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
    assert done.returncode == 0, f"`import {module}` fails on its own:\n{done.stderr}"
