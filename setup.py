"""Ships the project's queries/, shapes/ and ontology/ inside the wheel as kg/data/<name>/.

pyproject.toml holds all metadata; this file only adds the copy step. In a source checkout
(editable install) kg finds the folders at the top of the repository instead; see
kg.store.queries_dir.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = ("queries", "shapes", "ontology")


class BuildPy(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # the repository's folders are used as they are
        for name in SHIPPED:
            source = HERE / name
            if source.is_dir():
                target = Path(self.build_lib) / "kg" / "data" / name
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(source, target)


setup(cmdclass={"build_py": BuildPy})
