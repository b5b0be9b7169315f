"""The course runner: results recording, notebook discovery, offline guard, build and CLI."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from crmkit import DataError
from crmkit.course import (
    RESULTS_MIME,
    _guard,
    _is_local,
    find_notebooks,
    main,
    notebook_info,
    read_results,
    record,
)


def write_notebook(path, title, *code):
    notebook = new_notebook(
        cells=[new_markdown_cell(f"# {title}\nA one-line summary of {path.stem}.")]
        + [new_code_cell(source) for source in code],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(notebook, path)
    return path


def test_record_prints_outside_a_kernel(capsys):
    record({"on_time_rate": 0.93123456789, "n": 5, "label": "A"})
    assert capsys.readouterr().out.split("\n")[0] == "on_time_rate  0.931235"


@pytest.mark.parametrize("bad", [[1, 2], {"x": [1, 2]}])
def test_record_rejects_what_it_cannot_store(bad):
    with pytest.raises(DataError):
        record(bad)


def test_read_results_merges_recorded_outputs():
    notebook = new_notebook(cells=[new_code_cell("")])
    notebook.cells[0].outputs = [
        nbformat.v4.new_output("display_data", data={RESULTS_MIME: {"a": 1}, "text/plain": "a 1"}),
        nbformat.v4.new_output("display_data", data={"text/plain": "other"}),
    ]
    assert read_results(notebook) == {"a": 1}
    assert read_results(new_notebook()) == {}


def test_notebook_info_reads_number_title_and_summary(tmp_path):
    info = notebook_info(write_notebook(tmp_path / "07_churn.ipynb", "07 · Churn prediction"))
    assert (info.number, info.title, info.summary) == ("07", "Churn prediction", "A one-line summary of 07_churn.")


def test_notebook_without_title_cell_is_rejected(tmp_path):
    path = tmp_path / "01_x.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("1")]), path)
    with pytest.raises(DataError, match="first cell must be markdown"):
        notebook_info(path)


def test_find_notebooks_filters_by_number_or_word(tmp_path):
    for name in ("00_start", "01_database", "02_service_quality", "README"):
        write_notebook(tmp_path / f"{name}.ipynb", name)
    assert [p.stem for p in find_notebooks(tmp_path)] == ["00_start", "01_database", "02_service_quality"]
    assert [p.stem for p in find_notebooks(tmp_path, only=["02", "data"])] == ["01_database", "02_service_quality"]
    with pytest.raises(DataError, match="no notebook"):
        find_notebooks(tmp_path, only="99")


@pytest.mark.parametrize("address, local", [
    (("127.0.0.1", 80), True), (("::1", 80, 0, 0), True), (("localhost", 8888), True),
    ("/tmp/kernel.sock", True), (("93.184.216.34", 80), False), (("example.com", 443), False),
    (("192.0.2.1", 9), False),
])
def test_only_loopback_counts_as_local(address, local):
    assert _is_local(address) is local


def test_guard_refuses_before_calling_the_real_function():
    calls = []
    guarded = _guard(lambda address: calls.append(address), lambda address: address)
    with pytest.raises(OSError, match="network access is disabled"):
        guarded(("192.0.2.1", 9))
    assert calls == []
    guarded(("127.0.0.1", 9))
    assert calls == [("127.0.0.1", 9)]


def test_build_runs_offline_reports_failing_cell_and_writes_home_page(tmp_path, capsys):
    notebooks, out = tmp_path / "notebooks", tmp_path / "build"
    notebooks.mkdir()
    write_notebook(
        notebooks / "01_offline.ipynb", "01 · Offline check",
        "import socket\nfrom crmkit.course import record",
        "record({'connect_guarded': socket.socket.connect.crmkit_offline_guard,\n"
        "        'lookup_guarded': socket.getaddrinfo.crmkit_offline_guard})",
    )
    write_notebook(notebooks / "02_broken.ipynb", "02 · Broken", "x = 1", "1 / 0", "y = 2")

    exit_code = main(["--notebooks", str(notebooks), "--out", str(out), "--jobs", "2"])

    printed = capsys.readouterr().out
    assert exit_code == 1
    assert "02_broken.ipynb failed at cell 3 ('1 / 0'): ZeroDivisionError" in printed
    assert "[2/2]" in printed
    executed = nbformat.read(out / "01_offline.ipynb", as_version=4)
    assert read_results(executed) == {"connect_guarded": True, "lookup_guarded": True}
    index = (out / "index.html").read_text(encoding="utf-8")
    for page in ("01_offline.html", "02_broken.html"):
        assert f'href="{page}"' in index and (out / page).exists()
    assert "Offline check" in index and "A one-line summary of 01_offline." in index
    assert '<td class="failed">failed</td>' in index and '<td class="ok">ok</td>' in index


def test_cli_passes_parameters_and_returns_zero_unless_a_notebook_fails(tmp_path, capsys):
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    path = write_notebook(notebooks / "05_params.ipynb", "05 · Parameters", "threshold = 1",
                          "from crmkit.course import record\nrecord({'threshold': threshold})")
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[1].metadata["tags"] = ["parameters"]
    nbformat.write(notebook, path)
    write_notebook(notebooks / "06_needs_shipments.ipynb", "06 · Needs shipments",
                   "from crmkit.course import skip_notebook\nskip_notebook('there is no shipments table')",
                   "raise AssertionError('a skipped notebook stops')")

    exit_code = main(["--notebooks", str(notebooks), "--out", str(tmp_path / "out"), "-p", "threshold", "0.25"])

    printed = capsys.readouterr().out
    assert exit_code == 0, printed  # a notebook that skips itself is not a failure
    assert "06_needs_shipments.ipynb skipped: there is no shipments table" in printed
    assert "skipped: there is no shipments table" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    executed = nbformat.read(tmp_path / "out" / "05_params.ipynb", as_version=4)
    assert read_results(executed) == {"threshold": 0.25}


def test_cli_reports_an_unknown_subset(capsys, tmp_path):
    assert main(["--only", "no-such-topic", "--out", str(tmp_path)]) == 2
    assert "no notebook" in capsys.readouterr().err
