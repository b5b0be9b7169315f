"""Graded exercises: the exercise company, the project company and the otter-grader pipeline.

The exercise sets in ``exercises/masters/`` are otter-grader master notebooks (otter
assign format v1: questions, solutions, public and hidden tests). :func:`assign` runs
``otter assign`` on a master, keeps the autograder version (solutions and hidden tests)
under ``build/exercises/`` and writes the student version, without outputs and with
stable cell ids, to ``exercises/student/<set>/``. The exercises use their own simulated
company (:func:`exercise_company`, seed :data:`EXERCISE_SEED`), so the answers cannot be
copied from the course notebooks, which use the bundled data; the course project gives
each group its own company (:func:`project_company`, the seed is the group number).

Command line::

    python -m crmkit.exercises             # regenerate every student set (and autograders)
    python -m crmkit.exercises --only 02   # one set, by number or word
    python -m crmkit.exercises --written submissions/02/*.ipynb --csv build/grades/02/written.csv

Examples
--------
>>> company = exercise_company(n_customers=60, months=3)
>>> company.truth.params["seed"] == EXERCISE_SEED != BUNDLED_SEED
True
>>> [p.name for p in find_masters(only=["02"])]
['02_service_quality.ipynb']
"""

from __future__ import annotations

import argparse
import copy
import functools
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

from crmkit.errors import DataError
from crmkit.synth import BUNDLED_SEED, simulate

__all__ = [
    "EXERCISE_SEED",
    "EXERCISES_DIR",
    "MASTER_DIR",
    "STUDENT_DIR",
    "PROJECT_DIR",
    "AUTOGRADER_DIR",
    "exercise_company",
    "project_company",
    "find_masters",
    "clean_notebook",
    "assign",
    "written_answers",
    "main",
]

#: Seed of the exercise company; the course notebooks use ``crmkit.synth.BUNDLED_SEED``.
EXERCISE_SEED = 31415

REPO_DIR = Path(__file__).resolve().parent.parent
EXERCISES_DIR = REPO_DIR / "exercises"
MASTER_DIR = EXERCISES_DIR / "masters"
STUDENT_DIR = EXERCISES_DIR / "student"
PROJECT_DIR = EXERCISES_DIR / "project"
AUTOGRADER_DIR = REPO_DIR / "build" / "exercises"


@functools.lru_cache(maxsize=4)
def _simulated(seed: int, n_customers: int, months: int):
    return simulate(n_customers=n_customers, months=months, seed=seed)


def exercise_company(seed: int = EXERCISE_SEED, *, n_customers: int = 800, months: int = 18):
    """The simulated company of the exercise sets (another seed than the course notebooks).

    Returns a fresh copy each call, so an answer cell that changes a table cannot change
    what the next call (or a hidden test) sees.

    Parameters
    ----------
    seed : int
        Seed of :func:`crmkit.synth.simulate`; must differ from the bundled data's seed.
    n_customers, months : int
        Size of the company; the defaults keep every exercise set under a few seconds.

    Returns
    -------
    crmkit.synth.Company

    Examples
    --------
    >>> exercise_company(seed=BUNDLED_SEED)
    Traceback (most recent call last):
    ...
    crmkit.errors.DataError: exercise_company: seed 20240101 is the bundled data's seed. Fix: ...
    """
    if seed == BUNDLED_SEED:
        raise DataError(
            f"exercise_company: seed {seed} is the bundled data's seed. Fix: use another seed "
            f"(the default is EXERCISE_SEED = {EXERCISE_SEED}) so answers differ from the notebooks."
        )
    return copy.deepcopy(_simulated(seed, n_customers, months))


def project_company(group: int, *, n_customers: int = 1500, months: int = 24):
    """The simulated company of one project group: its seed is the group number.

    >>> project_company(0)
    Traceback (most recent call last):
    ...
    crmkit.errors.DataError: project_company: group must be a whole number from 1 to 999, got 0. Fix: ...
    """
    if isinstance(group, bool) or not isinstance(group, int) or not 1 <= group <= 999:
        raise DataError(
            f"project_company: group must be a whole number from 1 to 999, got {group!r}. "
            f"Fix: use your group's number, e.g. group = 3."
        )
    return copy.deepcopy(_simulated(group, n_customers, months))


def find_masters(directory: str | Path = MASTER_DIR, only=None) -> list[Path]:
    """List the exercise masters in order; ``only`` keeps those matching a number or word."""
    paths = sorted(Path(directory).glob("[0-9][0-9]_*.ipynb"))
    if only:
        wanted = [str(item) for item in ([only] if isinstance(only, str) else only)]
        paths = [p for p in paths if any(p.name.startswith(w) or w in p.stem for w in wanted)]
        if not paths:
            raise DataError(f"no exercise master in {directory} matches {wanted}. "
                            f"Fix: use a number such as 02 or a word from the file name.")
    return paths


def clean_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without outputs or execution counts, with cell ids ``cell-01``, ``cell-02``, ...

    Stable ids make a regenerated student notebook byte-identical to the committed one.
    """
    notebook = copy.deepcopy(notebook)
    for number, cell in enumerate(notebook.cells, start=1):
        cell["id"] = f"cell-{number:02d}"
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return notebook


def _write_clean(source: Path, target: Path) -> None:
    notebook = clean_notebook(nbformat.read(source, as_version=4))
    nbformat.write(notebook, target)


def assign(master: str | Path, student_dir: str | Path = STUDENT_DIR,
           autograder_dir: str | Path | None = AUTOGRADER_DIR) -> Path:
    """Run ``otter assign`` on one master and write its student version to ``student_dir/<set>/``.

    The autograder version (solutions, hidden tests, and the grading archive
    ``<set>-autograder.zip`` for ``otter run`` and ``otter grade``) goes to
    ``autograder_dir/<set>/`` (never into ``exercises/``); pass ``autograder_dir=None`` to
    discard it. The otter
    tests are not run here: the exercise tests execute every master's solutions.

    Returns
    -------
    Path
        The student folder: ``<set>.ipynb`` and ``tests/q*.py`` (public tests only).
    """
    from otter.assign import main as otter_assign

    master = Path(master).resolve()
    if not master.is_file():
        raise DataError(f"assign: no master notebook at {master}. Fix: pick one from {MASTER_DIR}.")
    target = Path(student_dir) / master.stem
    with tempfile.TemporaryDirectory(prefix="crmkit-assign-") as tmp:
        dist = Path(tmp) / "dist"
        otter_assign(str(master), str(dist), no_pdfs=True, no_run_tests=True)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(dist / "student", target)
        _write_clean(dist / "student" / master.name, target / master.name)
        if autograder_dir is not None:
            graded = Path(autograder_dir) / master.stem
            shutil.rmtree(graded, ignore_errors=True)
            shutil.copytree(dist / "autograder", graded)
            for archive in graded.glob(f"{master.stem}-autograder_*.zip"):  # a stable name to grade with
                archive.rename(graded / f"{master.stem}-autograder.zip")
    return target


def written_answers(paths) -> "pd.DataFrame":
    """The written (hand-graded) answers of student notebooks, one row per student and question.

    A written answer is a Markdown cell that otter assign tagged ``otter_answer_cell``; its
    question is the bold lead of the prompt above it (e.g. ``Question 7 (written
    recommendation).``). An untouched answer cell is reported as an empty answer.

    Returns
    -------
    DataFrame with columns ``file``, ``question`` and ``answer``.

    Examples
    --------
    >>> table = written_answers([STUDENT_DIR / "02_service_quality" / "02_service_quality.ipynb"])
    >>> table[["question", "answer"]].values.tolist()
    [['Question 7 (written recommendation).', '']]
    """
    import re

    import pandas as pd

    rows = []
    for path in [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]:
        if not path.is_file():
            raise DataError(f"written_answers: no notebook at {path}. Fix: pass paths of .ipynb files.")
        prompt = ""
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            if "otter_answer_cell" in cell.metadata.get("tags", []):
                answer = cell.source.strip()
                if answer == "_Type your answer here, replacing this text._":
                    answer = ""
                rows.append((path.name, prompt, answer))
            else:
                lead = re.search(r"\*\*(Question [^*]+)\*\*", cell.source)
                if lead:
                    prompt = lead.group(1).strip()
    return pd.DataFrame(rows, columns=["file", "question", "answer"])


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: regenerate the student versions of the exercise sets."""
    parser = argparse.ArgumentParser(prog="python -m crmkit.exercises",
                                     description="Regenerate the student exercise notebooks with otter assign.")
    parser.add_argument("--only", nargs="*", help="set numbers or words (default: all)")
    parser.add_argument("--masters", default=str(MASTER_DIR), help="folder of master notebooks")
    parser.add_argument("--student", default=str(STUDENT_DIR), help="where student sets go")
    parser.add_argument("--autograder", default=str(AUTOGRADER_DIR),
                        help="where autograder versions go (default build/exercises/)")
    parser.add_argument("--written", nargs="+", metavar="NOTEBOOK",
                        help="instead: collect the written answers of these submissions")
    parser.add_argument("--csv", help="with --written: write the answers to this CSV file")
    args = parser.parse_args(argv)
    if args.written:
        try:
            table = written_answers(args.written)
        except DataError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if args.csv:
            Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
            table.to_csv(args.csv, index=False, encoding="utf-8")
            print(f"{len(table)} written answers from {table['file'].nunique()} notebooks in {args.csv}")
        else:
            for row in table.itertuples(index=False):
                print(f"--- {row.file} · {row.question}\n{row.answer or '(no answer)'}\n")
        return 0
    try:
        masters = find_masters(args.masters, args.only)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for master in masters:
        target = assign(master, args.student, args.autograder)
        print(f"{master.name}: student version in {target}, autograder in {Path(args.autograder) / master.stem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
