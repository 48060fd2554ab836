"""Sections of bench/RESULTS.md that their own make targets write (`make load`, `make bench-tasks`),
kept when `make bench` rewrites the rest."""

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
# name -> the make target that writes it
SECTIONS = {
    "load": "load",
    "tasks": "bench-tasks",
    "exports": "bench-tasks",
    "http": "bench-http",
    "http-profile": "bench-http",
    "lists": "bench",
    "engines": "bench-engines",
    "containment": "bench-containment",
    "export_containment": "bench-containment",
    "fields": "bench-fields",
    "links": "bench",
}


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}: written by make {SECTIONS[name]} -->", f"<!-- /{name} -->"


def existing(name: str, results: Path = RESULTS) -> str:
    """The section `results` has now, if any."""
    start_marker, end_marker = markers(name)
    report = results.read_text(encoding="utf-8") if results.exists() else ""
    start, end = report.find(start_marker), report.find(end_marker)
    return report[start : end + len(end_marker)] if start >= 0 and end > start else ""


def write(name: str, body: str, results: Path = RESULTS) -> None:
    """Put the section into `results`, replacing the one of an earlier run."""
    start_marker, end_marker = markers(name)
    section = body if body.startswith(start_marker) else f"{start_marker}\n{body.strip()}\n{end_marker}"
    report = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    pattern = re.compile(re.escape(start_marker) + ".*?" + re.escape(end_marker), re.DOTALL)
    report = pattern.sub(lambda _: section, report) if pattern.search(report) else report.rstrip() + "\n\n" + section
    results.write_text(report.rstrip() + "\n", encoding="utf-8")
