"""The wheel's build step beyond pyproject.toml: refuse to build a wheel without the front-end
files the web app serves. scripts/build_assets.sh (run by `make install`) copies them from
node_modules into web/vendor_assets/; a wheel built before that would install an app without its
styles and modeler, which only its log would tell. `pip install -e .` skips the check: the
development checkout serves whatever `make install` put there."""
import runpy
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.errors import SetupError


class BuildPy(build_py):
    def run(self):
        if not self.editable_mode:
            # Read by path: importing the package `web` would need Flask in the build environment.
            vendor_files = runpy.run_path(str(Path(__file__).parent / "web" / "vendor_files.py"))
            missing = vendor_files["missing"]()
            if missing:
                raise SetupError(f"web/vendor_assets/ lacks {len(missing)} front-end files ({missing[0]}, ...): "
                                 "run 'make install' (or npm ci and scripts/build_assets.sh) before building the wheel")
        super().run()


setup(cmdclass={"build_py": BuildPy})
