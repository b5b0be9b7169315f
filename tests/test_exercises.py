"""The graded exercise sets: masters pass their own tests, student copies are safe and current.

For every master in exercises/masters/ (otter assign format v1):
(a) the autograder version (solutions, public and hidden tests) runs offline and every test
    of every question passes;
(b) the committed student version runs offline unanswered without crashing, and every
    question's checks fail (so a check can tell an answer from a blank);
(c) no student file contains a solution line or a hidden test;
(d) the committed student version is stored without outputs and is exactly what
    ``otter assign`` (through ``crmkit.exercises.assign``) generates from the master now.
Plus the course-project starter notebook runs offline for a group.
"""

import ast
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from crmkit import DataError
from crmkit.course import run_notebook
from crmkit.exercises import (EXERCISE_SEED, MASTER_DIR, PROJECT_DIR, STUDENT_DIR, assign,
                              clean_notebook, exercise_company, find_masters, project_company)
from crmkit.synth import BUNDLED_SEED

MASTERS = find_masters()
TOPICS = ["01", "02", "03", "04", "05", "06", "07"]

# The cell appended before running a notebook: run every test file in tests/ (hidden cases
# included where present) against the notebook's globals and record pass/fail per question.
HARNESS = '''
import glob as _glob, os as _os
from otter.test_files import OKTestFile as _OKTestFile
from crmkit.course import record as _record
_outcome = {}
for _path in sorted(_glob.glob("tests/q*.py")):
    _test = _OKTestFile.from_file(_path)
    _test.run(globals())
    _failed = [r for r in _test.test_case_results if not r.passed]
    _outcome[_os.path.basename(_path)[:-3]] = (
        "pass" if not _failed else "fail: " + " | ".join(str(r.message)[-300:] for r in _failed))
_record(_outcome)
'''


def _run_with_harness(folder: Path, notebook_name: str, tmp_path: Path, *, skip_check_all=False):
    """Copy a set's folder to tmp, append the harness cell, run it offline; return the results.

    ``skip_check_all`` drops the ``grader.check_all()`` cell, which would only repeat what the
    harness runs anyway (it keeps the slowest set's solution run well under 30 s).
    """
    work = tmp_path / "work"
    shutil.copytree(folder, work)
    path = work / notebook_name
    notebook = nbformat.read(path, as_version=4)
    if skip_check_all:
        notebook.cells = [c for c in notebook.cells if c.source.strip() != "grader.check_all()"]
    notebook.cells.append(nbformat.v4.new_code_cell(HARNESS))
    nbformat.write(notebook, path)
    result = run_notebook(path, tmp_path / "out", html=False, timeout=120)
    return result


def _secrets(master: Path) -> set:
    """Lines of a master a student must never see: solutions and hidden tests.

    In a solution block, a Markdown cell is secret as a whole; in a code cell, the lines
    ending in ``# SOLUTION`` (or ``# SOLUTION NO PROMPT``) and those between ``# BEGIN
    SOLUTION`` and ``# END SOLUTION`` are (otter assign's rules). A ``# HIDDEN`` test cell is
    secret as a whole. Lines that also appear elsewhere in the master are not secret.
    """
    notebook = nbformat.read(master, as_version=4)
    secret, public = set(), set()
    block = []
    for cell in notebook.cells:
        text = cell.source.strip()
        if cell.cell_type == "raw" and text.startswith("# BEGIN "):
            block.append(text.split()[2])
            continue
        if cell.cell_type == "raw" and text.startswith("# END "):
            block.pop()
            continue
        in_solution = bool(block) and block[-1] == "SOLUTION"
        whole = (in_solution and cell.cell_type == "markdown") or (
            cell.cell_type == "code" and text.startswith("# HIDDEN"))
        inside = False
        for line in cell.source.splitlines():
            line = line.strip()
            if line.startswith("# BEGIN SOLUTION"):
                inside = True
                continue
            if line.startswith("# END SOLUTION"):
                inside = False
                continue
            if not line:
                continue
            if whole or inside or re.search(r"# SOLUTION( NO PROMPT)?$", line):
                secret.add(re.sub(r"\s*# SOLUTION( NO PROMPT)?$", "", line))
            else:
                public.add(line)
    public_text = "\n".join(public)  # what the master shows anyway (e.g. a call quoted in a prompt)
    secret = {line for line in secret if line not in public_text}
    for line in list(secret):  # otter rewrites test code with ast.unparse (quotes, brackets)
        try:
            secret.add(ast.unparse(ast.parse(line)))
        except SyntaxError:
            pass
    return secret


def _student_text(path: Path) -> str:
    """What a student sees in a file: cell sources of a notebook, test code of a test file."""
    if path.suffix == ".ipynb":
        return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        spec: dict = {}
        exec(compile(text, str(path), "exec"), spec)
        cases = [case for suite in spec["test"]["suites"] for case in suite["cases"]]
        assert not any(case.get("hidden") for case in cases), f"{path.name} holds a hidden test"
        text += "\n".join(case["code"] for case in cases)
    return text


def test_every_topic_has_a_set_of_four_to_eight_questions():
    numbers = [path.name[:2] for path in MASTERS]
    assert numbers == TOPICS, f"exercise sets found: {numbers}"
    for master in MASTERS:
        questions = [c for c in nbformat.read(master, as_version=4).cells
                     if c.cell_type == "raw" and c.source.startswith("# BEGIN QUESTION")]
        assert 4 <= len(questions) <= 8, f"{master.name}: {len(questions)} questions"
        manual = [q for q in questions if "manual: true" in q.source]
        assert manual, f"{master.name}: needs a written question flagged for manual grading"


def test_exercise_company_is_not_the_notebooks_company():
    assert EXERCISE_SEED != BUNDLED_SEED
    with pytest.raises(DataError, match="bundled data's seed"):
        exercise_company(seed=BUNDLED_SEED)
    small = exercise_company(n_customers=60, months=3)
    small.shipments.drop(small.shipments.index, inplace=True)  # an answer that empties a table
    assert len(exercise_company(n_customers=60, months=3).shipments) > 0, "each call gets a fresh copy"


def test_project_company_seed_is_the_group_number():
    first = project_company(3, n_customers=60, months=3)
    assert first.truth.params["seed"] == 3
    assert not first.shipments.equals(project_company(4, n_customers=60, months=3).shipments)
    for bad in (0, -1, 2.5, "3", True):
        with pytest.raises(DataError, match="group"):
            project_company(bad)


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
class TestExerciseSet:
    def test_master_solutions_pass_every_test(self, master, tmp_path):
        graded = tmp_path / "dist"
        student = tmp_path / "student"
        assign(master, student, graded)
        result = _run_with_harness(graded / master.stem, master.name, tmp_path, skip_check_all=True)
        assert result.ok, result.error
        assert result.results, "no test files were run"
        failing = {q: outcome for q, outcome in result.results.items() if outcome != "pass"}
        assert not failing, failing

    def test_student_version_runs_unanswered_and_its_checks_fail(self, master, tmp_path):
        folder = STUDENT_DIR / master.stem
        result = _run_with_harness(folder, master.name, tmp_path)
        assert result.ok, f"the unanswered student notebook crashed: {result.error}"
        assert result.results, "no public tests found"
        passing = [q for q, outcome in result.results.items() if outcome == "pass"]
        assert not passing, f"checks that pass with no answer: {passing}"
        executed = nbformat.read(result.output_path, as_version=4)
        checks = [c for c in executed.cells if c.cell_type == "code" and c.source.startswith("grader.check(")]
        assert checks and all(c.outputs for c in checks), "every grader.check cell shows feedback"

    def test_student_files_hold_no_solution_or_hidden_test(self, master):
        folder = STUDENT_DIR / master.stem
        secret = [line for line in _secrets(master) if len(line) >= 12]
        assert secret, "the master has no solutions to hide?"
        for path in folder.rglob("*"):
            if not path.is_file():
                continue
            text = _student_text(path)
            for marker in ("# SOLUTION", "BEGIN SOLUTION", "# HIDDEN", "'hidden': True", '"hidden": true'):
                assert marker not in text, f"{path.name} contains {marker!r}"
            leaked = [line for line in secret if line in text]
            assert not leaked, f"{path.relative_to(STUDENT_DIR)} leaks: {leaked[:3]}"

    def test_student_version_is_clean_and_current(self, master, tmp_path):
        committed = STUDENT_DIR / master.stem
        notebook = nbformat.read(committed / master.name, as_version=4)
        nbformat.validate(notebook)
        assert notebook == clean_notebook(notebook), "stored with outputs or unstable cell ids"
        fresh = assign(master, tmp_path, autograder_dir=None)
        files = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
        stale = [str(f) for f in files if (committed / f).read_bytes() != (fresh / f).read_bytes()]
        assert not stale, f"regenerate with `python -m crmkit.exercises --only {master.name[:2]}`: {stale}"


def test_project_starter_runs_for_a_group(tmp_path):
    starter = PROJECT_DIR / "99_project_starter.ipynb"
    notebook = nbformat.read(starter, as_version=4)
    for cell in notebook.cells:
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None, "store it without outputs"
    first_code = next(c for c in notebook.cells if c.cell_type == "code")
    assert "parameters" in first_code.metadata.get("tags", []) and "group = " in first_code.source
    assert "simulated" in notebook.cells[0].source.lower()
    result = run_notebook(starter, tmp_path, parameters={"group": 5}, html=False, timeout=300)
    assert result.ok, result.error
    assert result.results["group"] == 5
    assert 0.5 < result.results["churn_auc"] <= 1, "the starter's churn model ranks better than chance"


def test_project_documents_follow_the_course_method():
    for name in ("brief.md", "rubric.md", "deliverables.md"):
        assert (PROJECT_DIR / name).exists(), name
    brief = (PROJECT_DIR / "brief.md").read_text(encoding="utf-8").lower()
    for part in ("service", "satisfaction", "segment", "churn", "crm plan", "group number", "simulated"):
        assert part in brief, part
    rubric = (PROJECT_DIR / "rubric.md").read_text(encoding="utf-8").lower()
    for angle in ("knowledge and skills", "process and method", "attitudes and values", "10-minute", "peer"):
        assert angle in rubric, angle
