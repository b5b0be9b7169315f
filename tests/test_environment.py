"""pyproject.toml (pip) and environment.yml (conda) declare the same packages at the same versions."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] + [
        req for extra in project["optional-dependencies"].values() for req in extra]
    pins = {}
    for requirement in requirements:
        name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^;\s]+)", requirement).groups()
        pins[canonical(name)] = version
    return pins


def conda_pins() -> dict[str, str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert environment["channels"] == ["conda-forge"]
    pins = {}
    for entry in environment["dependencies"]:
        if isinstance(entry, dict) or canonical(entry.split(">")[0].split("=")[0]) in {"python", "pip"}:
            continue
        name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)==?([^=\s]+)", entry).groups()
        pins[canonical(name)] = version
    return pins


def test_every_pip_dependency_is_pinned_exactly():
    assert pip_pins(), "pyproject.toml declares no dependencies"


def test_conda_and_pip_environments_match():
    assert conda_pins() == pip_pins()


def test_the_required_stack_is_declared():
    required = {"jupyterlab", "pandas", "seaborn", "statsmodels", "ipywidgets", "papermill"}
    assert required <= set(pip_pins())


def test_both_ask_for_python_3_11_or_newer():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11"
    assert "python>=3.11" in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
