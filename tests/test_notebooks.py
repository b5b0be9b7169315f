"""Every course notebook is stored clean, runs top to bottom offline, and finds the right numbers.

Each notebook's last cell records its headline results (crmkit.course.record); the band for
each lives in tests/expected/<notebook>.yml as ``name: [low, high]`` (or an exact value).
"""

import re
from pathlib import Path

import nbformat
import pytest
import yaml

from crmkit.course import NOTEBOOK_DIR, find_notebooks, notebook_info, run_notebook

EXPECTED_DIR = Path(__file__).parent / "expected"
NOTEBOOKS = find_notebooks(NOTEBOOK_DIR)
MAX_LOGIC_LINES = 20  # longer cells hold library code, which belongs in crmkit with a test


def stored(path):
    return nbformat.read(path, as_version=4)


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_the_course_has_its_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_getting_started.ipynb"
    numbers = [path.name[:2] for path in NOTEBOOKS]
    assert len(numbers) == len(set(numbers)), f"two notebooks share a number: {numbers}"


def test_readme_course_map_links_every_notebook():
    readme = (NOTEBOOK_DIR.parent / "README.md").read_text(encoding="utf-8")
    for path in find_notebooks():
        assert f"({path.relative_to(NOTEBOOK_DIR.parent).as_posix()})" in readme, f"README misses {path.name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
class TestStoredNotebook:
    def test_valid_and_python3(self, path):
        notebook = stored(path)
        nbformat.validate(notebook)
        assert notebook.metadata.kernelspec.name == "python3"
        assert notebook.metadata.kernelspec.language == "python"

    def test_stored_without_outputs(self, path):
        for cell in code_cells(stored(path)):
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]

    def test_title_cell_numbers_summary_and_simulated_data(self, path):
        info = notebook_info(path)
        assert info.number == path.name[:2]
        assert len(info.summary) > 20, "the line after the title is the one-line summary"
        assert "simulated" in stored(path).cells[0].source.lower()

    def test_first_code_cell_holds_the_parameters(self, path):
        first = code_cells(stored(path))[0]
        assert "parameters" in first.metadata.get("tags", [])
        assert re.search(r"^data_dir\s*=", first.source, re.M), "every notebook takes data_dir"

    def test_papermill_sees_every_parameter(self, path):
        """`papermill --help-notebook` and `-p` work only for parameters papermill can parse."""
        import ast

        import papermill

        assigned = {target.id for node in ast.parse(code_cells(stored(path))[0].source).body
                    if isinstance(node, ast.Assign) for target in node.targets}
        assert assigned <= set(papermill.inspect_notebook(str(path))), "write comments without '=' or quotes"

    def test_every_table_is_read_through_data_dir(self, path):
        source = "\n".join(cell.source for cell in code_cells(stored(path)))
        for call in re.findall(r"load_dataset\([^)]*\)", source):
            assert "data_dir=data_dir" in call, f"{call} ignores the data_dir parameter"

    def test_ends_with_questions_and_records_results(self, path):
        notebook = stored(path)
        assert any(cell.cell_type == "markdown" and "## Discussion questions" in cell.source
                   for cell in notebook.cells)
        assert "record(" in code_cells(notebook)[-1].source
        assert (EXPECTED_DIR / f"{path.stem}.yml").exists()

    def test_cells_stay_short(self, path):
        for cell in code_cells(stored(path)):
            logic = [line for line in cell.source.splitlines()
                     if line.strip() and not line.strip().startswith("#")]
            assert len(logic) <= MAX_LOGIC_LINES, f"cell of {len(logic)} lines: {cell.source[:80]}"


def check_results(results: dict, expected: dict) -> list[str]:
    """Problems with a notebook's recorded results against its expected bands."""
    problems = [f"{key}: recorded but has no band in tests/expected"
                for key in results if key not in expected]
    for key, band in expected.items():
        if key not in results:
            problems.append(f"{key}: expected but not recorded")
        elif isinstance(band, list):
            low, high = band
            if not low <= results[key] <= high:
                problems.append(f"{key} = {results[key]} outside [{low}, {high}]")
        elif results[key] != band:
            problems.append(f"{key} = {results[key]!r}, expected {band!r}")
    return problems


def test_check_results_catches_each_kind_of_problem():
    problems = check_results({"a": 0.5, "b": 3, "c": "x", "extra": 1},
                             {"a": [0.6, 0.9], "b": 3, "c": "y", "missing": [0, 1]})
    assert sorted(problems) == sorted([
        "extra: recorded but has no band in tests/expected",
        "a = 0.5 outside [0.6, 0.9]",
        "c = 'x', expected 'y'",
        "missing: expected but not recorded",
    ])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_finds_the_right_numbers(path, tmp_path):
    result = run_notebook(path, tmp_path, html=False)
    assert result.ok, f"{path.name} failed at {result.error}"
    expected = yaml.safe_load((EXPECTED_DIR / f"{path.stem}.yml").read_text(encoding="utf-8"))
    assert check_results(result.results, expected) == []
