"""The graded exercise sets: masters pass their own tests, student copies are safe and current.

For every master in exercises/masters/ (otter assign format v1):
(a) the autograder version (solutions, public and hidden tests) runs offline and every test
    of every question passes;
(b) the committed student version runs offline unanswered without crashing, and every
    question's checks fail (so a check can tell an answer from a blank);
(c) no student file contains a solution line or a hidden test;
(d) the committed student version is stored without outputs and is exactly what
    ``otter assign`` (through ``crmkit.exercises.assign``) generates from the master now.
Plus: the course-project starter runs offline for a group, and grading with ``otter run`` as
INSTRUCTORS.md describes gives full marks to the solutions and none to a blank notebook.
"""

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from crmkit import DataError
from crmkit.course import run_notebook
from crmkit.exercises import (EXERCISE_SEED, PROJECT_DIR, STUDENT_DIR, assign,
                              clean_notebook, exercise_company, find_masters, project_company,
                              written_answers)
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
    SOLUTION`` and ``# END SOLUTION`` are (otter assign's rules). A hidden test cell (first
    line ``# HIDDEN``, or ``hidden: true`` in its test config) is secret as a whole. Lines that also appear elsewhere in the master are not secret.
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
        hidden_test = cell.cell_type == "code" and (
            text.startswith("# HIDDEN") or re.match(r'"""\s*# BEGIN TEST CONFIG[^"]*hidden:\s*true', text))
        whole = (in_solution and cell.cell_type == "markdown") or bool(hidden_test)
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
        code = "\n".join(c.source for c in nbformat.read(master, as_version=4).cells if c.cell_type == "code")
        assert "exercise_company()" in code and "load_dataset" not in code, \
            f"{master.name}: questions use the exercise company, not the notebooks' bundled data"


def test_exercise_company_is_not_the_notebooks_company():
    assert EXERCISE_SEED != BUNDLED_SEED
    with pytest.raises(DataError, match="bundled data's seed"):
        exercise_company(seed=BUNDLED_SEED)
    small = exercise_company(n_customers=60, months=3)
    small.shipments["revenue"] = 0.0  # an answer that overwrites a column in place
    assert exercise_company(n_customers=60, months=3).shipments["revenue"].sum() > 0, "each call gets a fresh copy"


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


def test_grading_with_otter_run_as_the_guide_says(tmp_path):
    """INSTRUCTORS.md grades with `otter run` and the autograder archive: solutions score full
    marks, a blank notebook scores zero, and a student's file name does not matter."""
    master = next(p for p in MASTERS if p.name.startswith("02_"))
    graded = tmp_path / "graded"
    assign(master, tmp_path / "student", graded)
    archive = graded / master.stem / f"{master.stem}-autograder.zip"
    assert archive.is_file()
    submissions = {"alice wang": graded / master.stem / master.name,
                   "bob": STUDENT_DIR / master.stem / master.name}
    scores = {}
    for name, notebook in submissions.items():
        folder = tmp_path / "submissions" / name
        folder.mkdir(parents=True)
        shutil.copy(notebook, folder / f"{name}.ipynb")
        out = tmp_path / "grades" / name
        out.mkdir(parents=True)
        run = subprocess.run([str(Path(sys.executable).parent / "otter"), "run", "-a", str(archive),
                              "-o", str(out), "--no-logo", f"{name}.ipynb"],
                             cwd=folder, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
        tests = json.loads((out / "results.json").read_text())["tests"]
        questions = [t for t in tests if t["name"].startswith("q")]
        scores[name] = (sum(t["score"] for t in questions), sum(t["max_score"] for t in questions))
    assert scores["alice wang"][0] == scores["alice wang"][1] > 0, scores
    assert scores["bob"][0] == 0, scores


def test_instructors_guide_points_at_real_files():
    guide = (STUDENT_DIR.parent.parent / "INSTRUCTORS.md").read_text(encoding="utf-8")
    paths = set(re.findall(r"exercises/[\w./-]+\.(?:ipynb|md)", guide))
    assert paths, "the guide names the exercise files"
    missing = [p for p in paths if not (STUDENT_DIR.parent.parent / p).exists()]
    assert not missing, missing
    weeks = [int(w) for w in re.findall(r"^\| (\d+) \|", guide, re.M)]
    assert weeks == list(range(1, 17)), "the schedule lists weeks 1-16 in order"
    for master in MASTERS:
        assert re.search(rf"\| {master.name[:2]} [a-z][a-z ]+\|", guide), f"exercise set {master.stem} not scheduled"


def test_written_answers_are_collected_for_hand_grading(tmp_path):
    blank = STUDENT_DIR / "02_service_quality" / "02_service_quality.ipynb"
    notebook = nbformat.read(blank, as_version=4)
    answer = next(c for c in notebook.cells if "otter_answer_cell" in c.metadata.get("tags", [])
                  and c.cell_type == "markdown")
    answer.source = "Add line-haul capacity from November to February."
    nbformat.write(notebook, tmp_path / "alice.ipynb")
    table = written_answers([tmp_path / "alice.ipynb", blank])
    assert table.to_dict("list") == {
        "file": ["alice.ipynb", "02_service_quality.ipynb"],
        "question": ["Question 7 (written recommendation)."] * 2,
        "answer": ["Add line-haul capacity from November to February.", ""]}
    with pytest.raises(DataError, match="no notebook"):
        written_answers([tmp_path / "missing.ipynb"])
