"""Execute and render the course: the runner behind ``make course`` and the notebook tests.

Each notebook runs in a fresh kernel through papermill, with network access blocked,
and is written to ``build/`` as an executed notebook and an HTML page; ``build/index.html``
is the course home page. A notebook's last cell calls :func:`record` to leave its headline
numbers in the executed notebook, where :func:`read_results` finds them.

Command line (``make course`` calls this)::

    python -m crmkit.course                # every notebook, two at a time
    python -m crmkit.course --only 03 05   # a subset, by number or name
    python -m crmkit.course -p data_dir my_data/   # pass a parameter to every notebook

Examples
--------
>>> info = notebook_info(NOTEBOOK_DIR / "00_getting_started.ipynb")
>>> info.number, info.title
('00', 'Getting started with the course')
"""

from __future__ import annotations

import argparse
import contextlib
import html
import ipaddress
import json
import os
import re
import socket
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from crmkit.errors import DataError

__all__ = [
    "NOTEBOOK_DIR",
    "COURSE_DIRS",
    "BUILD_DIR",
    "record",
    "read_results",
    "skip_notebook",
    "NotebookSkipped",
    "notebook_info",
    "find_notebooks",
    "run_notebook",
    "build_course",
    "block_network",
    "main",
]

REPO_DIR = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = REPO_DIR / "notebooks"
#: Folders whose notebooks make up the course: the lectures and the course project's starter.
COURSE_DIRS = (NOTEBOOK_DIR, REPO_DIR / "exercises" / "project")
BUILD_DIR = REPO_DIR / "build"
RESULTS_MIME = "application/vnd.crmkit.results+json"
KERNEL_NAME = "python3"


# --- results a notebook leaves behind ---------------------------------------------------

def record(results: dict) -> None:
    """Show a notebook's headline numbers and store them in the executed notebook.

    Call it in a notebook's last cell; tests read the values back with :func:`read_results`
    and check them against ``tests/expected/<notebook>.yml``.

    >>> record({"on_time_rate": 0.931, "top20_share": 0.78})
    on_time_rate  0.931
    top20_share   0.78
    """
    if not isinstance(results, dict):
        raise DataError("record() needs a dict of results, e.g. {'on_time_rate': 0.93}.")
    clean = {str(key): _plain(value) for key, value in results.items()}
    width = max((len(key) for key in clean), default=0)
    text = "\n".join(f"{key:<{width}}  {value}" for key, value in clean.items())
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython ships with the course environment
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display({RESULTS_MIME: clean, "text/plain": text}, raw=True)
    else:
        print(text)


def _plain(value):
    """Turn numpy scalars into JSON-friendly Python values."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    raise DataError(f"record() takes numbers and strings; got {type(value).__name__} ({value!r}).")


class NotebookSkipped(Exception):
    """Raised by :func:`skip_notebook`; the course runner reports the notebook as skipped."""


def skip_notebook(reason: str) -> None:
    """Stop a notebook that cannot run on the data it was given, saying why.

    The course runner and the tests count the notebook as *skipped*, not failed: for example
    a shipment-based notebook run on a folder that holds only survey answers.

    >>> skip_notebook("there is no shipments table")
    Traceback (most recent call last):
    ...
    crmkit.course.NotebookSkipped: there is no shipments table
    """
    raise NotebookSkipped(reason)


def read_results(notebook: nbformat.NotebookNode) -> dict:
    """Return the dict that :func:`record` stored in an executed notebook ({} if none)."""
    results: dict = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if RESULTS_MIME in data:
                results.update(data[RESULTS_MIME])
    return results


# --- finding and describing notebooks ---------------------------------------------------

@dataclass(frozen=True)
class NotebookInfo:
    """A notebook's number, title and one-line summary, read from its first cell."""

    path: Path
    number: str
    title: str
    summary: str

    @property
    def stem(self) -> str:
        return self.path.stem


def notebook_info(path: str | Path) -> NotebookInfo:
    """Read number, title and summary from a notebook's title cell.

    The title cell starts with ``# NN · Title`` and the next non-empty line is the summary.
    """
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    first = notebook.cells[0] if notebook.cells else None
    lines = [line.strip() for line in (first.source.splitlines() if first else []) if line.strip()]
    if first is None or first.cell_type != "markdown" or not lines or not lines[0].startswith("# "):
        raise DataError(
            f"{path.name}: the first cell must be markdown starting with '# NN · Title'. "
            f"Fix: add a title cell at the top of the notebook."
        )
    heading = lines[0][2:].strip()
    match = re.match(r"(\d+)\s*[·.:-]\s*(.+)", heading)
    number, title = (match.group(1), match.group(2)) if match else (path.stem.split("_")[0], heading)
    summary = lines[1].lstrip("*_> ").rstrip("*_ ") if len(lines) > 1 else ""
    return NotebookInfo(path=path, number=number, title=title, summary=summary)


def find_notebooks(directories=COURSE_DIRS, only=None) -> list[Path]:
    """List the numbered notebooks of one folder or several, in order; ``only`` keeps those whose
    name starts with a given number or contains a given word (``only=["03", "churn"]``).

    >>> [p.name for p in find_notebooks(only=["00", "project"])]
    ['00_getting_started.ipynb', '99_project_starter.ipynb']
    """
    folders = [directories] if isinstance(directories, (str, Path)) else list(directories)
    paths = sorted((p for folder in folders for p in Path(folder).glob("[0-9][0-9]_*.ipynb")),
                   key=lambda p: p.name)
    if only:
        wanted = [str(item) for item in ([only] if isinstance(only, str) else only)]
        paths = [p for p in paths if any(p.name.startswith(w) or w in p.stem for w in wanted)]
        if not paths:
            raise DataError(
                f"no notebook in {', '.join(map(str, folders))} matches {wanted}. "
                f"Fix: use a number such as 03 or a word from the file name."
            )
    return paths


# --- keeping notebooks offline -------------------------------------------------------------

def _is_local(address) -> bool:
    """True for a Unix socket path or a loopback host ('localhost', 127.0.0.0/8, ::1)."""
    if isinstance(address, (str, bytes)):
        return True  # AF_UNIX path
    host = address[0] if isinstance(address, tuple) and address else address
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guard(function, describe):
    """Wrap a socket function so it refuses any non-local address before touching the network."""

    def guarded(*args, **kwargs):
        address = describe(*args, **kwargs)
        if not _is_local(address):
            raise OSError(f"network access is disabled while the course runs (tried {address!r}); "
                          f"crmkit notebooks work offline")
        return function(*args, **kwargs)

    guarded.crmkit_offline_guard = True
    return guarded


def block_network() -> None:
    """Refuse every connection and name lookup that is not to this machine.

    The course runner calls it at kernel start-up, so a notebook that reaches for the
    internet fails loudly in the tests instead of quietly depending on it.
    """
    if getattr(socket.socket.connect, "crmkit_offline_guard", False):
        return
    socket.socket.connect = _guard(socket.socket.connect, lambda self, address: address)
    socket.socket.connect_ex = _guard(socket.socket.connect_ex, lambda self, address: address)
    socket.getaddrinfo = _guard(socket.getaddrinfo, lambda host, *args, **kwargs: (host,))
    socket.create_connection = _guard(socket.create_connection, lambda address, *args, **kwargs: address)


@contextlib.contextmanager
def _kernel_environment(offline: bool):
    """Environment for the notebook kernel: this interpreter's kernel, and offline if asked.

    ``JUPYTER_PREFER_ENV_PATH`` makes Jupyter pick the course environment's ``python3`` kernel
    even when the user has a ``python3`` kernel of their own elsewhere. An IPython start-up
    file in a private ``IPYTHONDIR`` blocks the network inside the kernel.
    """
    saved = {key: os.environ.get(key) for key in ("JUPYTER_PREFER_ENV_PATH", "IPYTHONDIR", "MPLBACKEND")}
    with tempfile.TemporaryDirectory(prefix="crmkit-ipython-") as ipython_dir:
        os.environ["JUPYTER_PREFER_ENV_PATH"] = "1"
        os.environ.pop("MPLBACKEND", None)
        if offline:
            startup = Path(ipython_dir, "profile_default", "startup")
            startup.mkdir(parents=True)
            (startup / "00-offline.py").write_text(
                "from crmkit.course import block_network\nblock_network()\n", encoding="utf-8")
            os.environ["IPYTHONDIR"] = ipython_dir
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


# --- running one notebook and the whole course ---------------------------------------------

@dataclass
class RunResult:
    """What happened when one notebook ran."""

    info: NotebookInfo
    ok: bool
    seconds: float
    output_path: Path
    html_path: Path | None = None
    error: str | None = None
    results: dict = field(default_factory=dict)
    skipped: str | None = None

    @property
    def status(self) -> str:
        return "skipped" if self.skipped else "ok" if self.ok else "failed"


def _source_cell_number(source_path: Path, failing_source: str) -> int | None:
    """1-based position of the failing cell in the stored notebook (papermill adds cells)."""
    notebook = nbformat.read(source_path, as_version=4)
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "code" and cell.source.strip() == (failing_source or "").strip():
            return number
    return None


def _describe_failure(path: Path, error: Exception) -> str:
    source = getattr(error, "source", None)
    if source is None:
        return f"{type(error).__name__}: {error}"
    number = _source_cell_number(path, source)
    first_line = source.strip().splitlines()[0] if source.strip() else ""
    where = f"cell {number}" if number else f"execution count {error.exec_count}"
    return f"{where} ({first_line[:70]!r}): {error.ename}: {error.evalue}"


def run_notebook(path: str | Path, out_dir: str | Path = BUILD_DIR, *, parameters: dict | None = None,
                 offline: bool = True, html: bool = True, timeout: int = 900) -> RunResult:
    """Execute one notebook into ``out_dir`` (executed .ipynb and, if asked, .html).

    A failing notebook does not raise: the result says which cell failed and why.
    """
    import papermill

    path = Path(path)
    info = notebook_info(path)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    output_path = out_dir / path.name
    started = time.perf_counter()
    error = skipped = None
    with _kernel_environment(offline):
        try:
            papermill.execute_notebook(
                str(path), str(output_path), parameters=parameters or {}, kernel_name=KERNEL_NAME,
                progress_bar=False, cwd=str(path.parent), execution_timeout=timeout,
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],  # no kernel chatter in the log
            )
        except Exception as exc:  # papermill raises its own error type for a failing cell
            if getattr(exc, "ename", None) == NotebookSkipped.__name__:
                skipped = exc.evalue
            else:
                error = _describe_failure(path, exc)
    seconds = time.perf_counter() - started
    results = {}
    html_path = None
    if output_path.exists():
        executed = nbformat.read(output_path, as_version=4)
        results = read_results(executed)
        if html:
            html_path = _write_html(executed, output_path.with_suffix(".html"))
    return RunResult(info, error is None, seconds, output_path, html_path, error, results, skipped)


def _write_html(notebook: nbformat.NotebookNode, html_path: Path) -> Path:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    html_path.write_text(body, encoding="utf-8")
    return html_path


def _run_for_pool(path: str, out_dir: str, parameters: dict | None) -> RunResult:
    return run_notebook(path, out_dir, parameters=parameters)


def build_course(notebook_dirs=COURSE_DIRS, out_dir: str | Path = BUILD_DIR, *,
                 only=None, jobs: int = 2, parameters: dict | None = None,
                 stream=None) -> list[RunResult]:
    """Run the course's notebooks (``jobs`` at a time) and write ``out_dir/index.html``."""
    from tqdm import tqdm

    stream = stream or sys.stdout
    paths = find_notebooks(notebook_dirs, only)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"Running {len(paths)} notebook(s), {jobs} at a time, into {out_dir}/", file=stream)
    results = []
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool, \
            tqdm(total=len(paths), unit="notebook", file=stream, disable=None) as bar:
        futures = [pool.submit(_run_for_pool, str(p), str(out_dir), parameters) for p in paths]
        for future in as_completed(futures):
            result = future.result()
            results.append(result)
            mark = {"ok": "ok     ", "skipped": "skipped", "failed": "FAILED "}[result.status]
            bar.write(f"[{len(results)}/{len(paths)}] {mark} {result.info.stem}  {result.seconds:5.1f} s",
                      file=stream)
            bar.update(1)
    results.sort(key=lambda r: r.info.path.name)
    write_index(results, out_dir / "index.html")
    return results


def summary_table(results: list[RunResult]) -> str:
    """A plain-text table: number, title, status, seconds, and the failing cell if any."""
    rows = [("no.", "notebook", "status", "seconds")]
    rows += [(r.info.number, r.info.title[:48], r.status, f"{r.seconds:.1f}") for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for r in results:
        if r.skipped:
            lines.append(f"{r.info.path.name} skipped: {r.skipped}")
        elif not r.ok:
            lines.append(f"{r.info.path.name} failed at {r.error}")
    return "\n".join(lines)


def write_index(results: list[RunResult], index_path: str | Path) -> Path:
    """Write the course home page: one row per notebook, linking to its HTML page."""
    from crmkit import __version__

    index_path = Path(index_path)
    rows = []
    for r in results:
        link = r.html_path.name if r.html_path else r.output_path.name
        rows.append(
            "<tr>"
            f"<td>{html.escape(r.info.number)}</td>"
            f"<td><a href=\"{html.escape(link)}\">{html.escape(r.info.title)}</a></td>"
            f"<td>{html.escape(r.info.summary)}</td>"
            f"<td class=\"{r.status}\">{html.escape(f'skipped: {r.skipped}' if r.skipped else r.status)}</td>"
            f"<td class=\"num\">{r.seconds:.1f}</td>"
            "</tr>"
        )
    built = time.strftime("%Y-%m-%d %H:%M")
    index_path.write_text(_INDEX_TEMPLATE.format(rows="\n".join(rows), built=built,
                                                 version=__version__, n=len(results)),
                          encoding="utf-8")
    return index_path


_INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Logistics CRM course · 物流客户关系管理</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 64rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }}
th {{ background: #f3f3f3; }}
td.num {{ text-align: right; }}
td.ok {{ color: #1a7f37; }} td.failed {{ color: #cf222e; font-weight: bold; }} td.skipped {{ color: #6e7781; }}
</style></head><body>
<h1>Logistics customer relationship management<br><small>物流客户关系管理 · course notebooks</small></h1>
<p>{n} notebook(s), built {built} with crmkit {version}. The company data in every notebook are simulated.</p>
<table>
<thead><tr><th>No.</th><th>Notebook</th><th>Summary</th><th>Status</th><th>Seconds</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</body></html>
"""


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: run the course, print a summary, return 1 if a notebook failed."""
    parser = argparse.ArgumentParser(prog="python -m crmkit.course", description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="notebook numbers or words to run (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks to run at a time (default 2)")
    parser.add_argument("--notebooks", nargs="+", default=[str(d) for d in COURSE_DIRS],
                        help="notebook folders (default: notebooks/ and exercises/project/)")
    parser.add_argument("--out", default=str(BUILD_DIR), help="output directory (default build/)")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"), help="parameter passed to every notebook")
    args = parser.parse_args(argv)
    parameters = {name: _parse_value(value) for name, value in args.parameter}
    try:
        results = build_course(args.notebooks, args.out, only=args.only, jobs=args.jobs,
                               parameters=parameters)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n" + summary_table(results))
    print(f"\nCourse home page: {Path(args.out) / 'index.html'}")
    return 0 if all(r.ok for r in results) else 1


def _parse_value(text: str):
    """Read a command-line parameter as JSON where possible (numbers, true/false), else a string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


if __name__ == "__main__":
    sys.exit(main())
