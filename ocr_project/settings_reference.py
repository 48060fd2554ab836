"""The list of every environment variable the service reads, made from the code that reads it, so
that the docs' configuration page and `.env.example` cannot drift from the settings.

The source is read, not run: each `env_*("NAME", default=...)` call of ocr_project/settings.py and
gunicorn.conf.py (and each `os.environ` read of the other modules) is a variable; its meaning is the
comment written above it (the nearest comment above, within its paragraph of code); its section is
the `# ## Title` line above that. `python -m ocr_project.settings_reference` writes both files;
`--check` says whether they are as the code would write them (tests/test_settings_reference.py).
"""

import ast
import itertools
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["ocr_project/settings.py", "gunicorn.conf.py", "ocr_engine/tessdata.py"]
PAGE = ROOT / "docs" / "configuration.md"
ENV_EXAMPLE = ROOT / ".env.example"

# What a value of each reader may be (ocr_project/env.py says how each is checked).
KINDS = {
    "env_str": "text",
    "env_bool": "true or false",
    "env_int": "a whole number",
    "env_float": "a number",
    "env_list": "a comma-separated list",
    "env_ports": "comma-separated ports",
    "env_choice": "one of",
    "env_rate": 'a rate such as "60/min", or "off"',
}
SECTION = re.compile(r"^# ## (.+)$")


@dataclass(frozen=True)
class Variable:
    name: str
    section: str
    kind: str
    default: str | None  # the default as a value (literal) ...
    default_code: str | None  # ... or as the code that computes it
    meaning: str
    line: int


def variables() -> list[Variable]:
    """Every variable, section by section (in the order the sources first name them), in the order
    the sources read them; a variable read twice counts once."""
    found: dict[str, Variable] = {}
    for source in SOURCES:
        for variable in _read(source):
            found.setdefault(variable.name, variable)
    sections = list(dict.fromkeys(variable.section for variable in found.values()))
    return sorted(found.values(), key=lambda variable: sections.index(variable.section))


def _read(source: str) -> list[Variable]:
    text = (ROOT / source).read_text(encoding="utf-8")
    lines = text.splitlines()
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Call):
            continue
        function = node.func.id if isinstance(node.func, ast.Name) else None
        if function in KINDS:
            found.append(_variable(lines, text, node, function))
        elif _is_environ_read(node):
            name, line = node.args[0].value, node.lineno
            found.append(Variable(name, _section(lines, line), "a path", None, None, _meaning(lines, line), line))
    return sorted(found, key=lambda variable: variable.line)


def _variable(lines, text, node, function) -> Variable:
    name = node.args[0].value
    keywords = {keyword.arg: keyword.value for keyword in node.keywords}
    kind = KINDS[function]
    if function == "env_choice":
        kind = "one of " + ", ".join(f"`{choice}`" for choice in ast.literal_eval(keywords["choices"]))
    elif "minimum" in keywords:
        kind += f", at least {ast.get_source_segment(text, keywords['minimum'])}"
    default_node = keywords.get("default")
    default, default_code = _default(text, default_node)
    meaning = _meaning(lines, node.lineno)
    return Variable(name, _section(lines, node.lineno), kind, default, default_code, meaning, node.lineno)


def _is_environ_read(node: ast.Call) -> bool:
    """A read of os.environ by get (a read by subscript goes through a get first in this code)."""
    function = node.func
    return (
        isinstance(function, ast.Attribute)
        and function.attr == "get"
        and ast.unparse(function.value) == "os.environ"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    )


def _default(text: str, node: ast.expr | None) -> tuple[str | None, str | None]:
    """The default as the value it is when the code computes it from constants alone (`10 * 1024`),
    else as the code (it depends on the machine or on another setting)."""
    if node is None:
        return None, None
    try:
        value = eval(compile(ast.Expression(node), "<default>", "eval"), {"__builtins__": {}}, {})  # noqa: S307
    except Exception:  # a name: BASE_DIR, another setting, the machine's cores
        return None, ast.get_source_segment(text, node)
    if isinstance(value, bool):
        return str(value).lower(), None
    if isinstance(value, list):
        return ",".join(str(item) for item in value), None
    return ("" if value is None else str(value)), None


def _meaning(lines: list[str], line_number: int) -> str:
    """The nearest comment above the line, within its paragraph (no blank line between)."""
    index = line_number - 1
    while index > 0:
        index -= 1
        line = lines[index].strip()
        if not line or SECTION.match(line):
            return ""
        if line.startswith("#"):
            block = []
            while index >= 0 and lines[index].strip().startswith("#") and not SECTION.match(lines[index].strip()):
                block.insert(0, lines[index].strip().lstrip("#").strip())
                index -= 1
            return " ".join(block)
    return ""


def _section(lines: list[str], line_number: int) -> str:
    for line in reversed(lines[: line_number - 1]):
        if match := SECTION.match(line.strip()):
            return match.group(1)
    return ""


def page() -> str:
    """docs/configuration.md."""
    out = [
        "# Configuration",
        "",
        "<!-- Generated by `python -m ocr_project.settings_reference` from the code that reads each",
        "variable; tests/test_settings_reference.py holds it equal to the code. Do not edit by hand. -->",
        "",
        "Every setting comes from an environment variable, and every variable has a default that runs on",
        "a laptop; a value that cannot be understood stops the start-up with a message naming the",
        "variable. A `.env` file at the repository's root (`cp .env.example .env` and edit it; or the file",
        "`OCR_ENV_FILE` names) is read at start by python-dotenv: a variable set in the environment wins",
        "over the same one in `.env`. In production set at least `DJANGO_DEBUG=false`,",
        "`DJANGO_SECRET_KEY` and `DJANGO_ALLOWED_HOSTS`.",
    ]
    for section, listed in _sections():
        out += ["", f"## {section}", "", "| variable | value | default | meaning |", "|---|---|---|---|"]
        for variable in listed:
            default = variable.default or variable.default_code
            default = f"`{default}`".replace("|", "\\|") if default else "none"
            meaning = variable.meaning.replace("|", "\\|")
            out.append(f"| `{variable.name}` | {variable.kind} | {default} | {meaning} |")
    return "\n".join(out) + "\n"


def env_example() -> str:
    """.env.example: every variable at its default (blank where the default is computed)."""
    out = [
        "# Every variable django-ocr reads, at its default; copy this file to .env to have it read at",
        "# start (the environment wins over .env). Generated by `python -m ocr_project.settings_reference`;",
        "# docs/configuration.md says the same as a table.",
    ]
    for section, listed in _sections():
        out += ["", f"# ## {section}"]
        for variable in listed:
            out += [
                f"# {line}"
                for line in textwrap.wrap(variable.meaning, 98, break_long_words=False, break_on_hyphens=False)
            ]
            if variable.default_code:
                out.append(f"# (default: {variable.default_code})")
            out.append(f"{variable.name}={variable.default or ''}")
    return "\n".join(out) + "\n"


def _sections() -> list[tuple[str, list[Variable]]]:
    return [(section, list(listed)) for section, listed in itertools.groupby(variables(), key=lambda v: v.section)]


def main(argv: list[str]) -> int:
    files = {PAGE: page(), ENV_EXAMPLE: env_example()}
    if "--check" in argv:
        stale = [
            str(path.relative_to(ROOT)) for path, text in files.items() if path.read_text(encoding="utf-8") != text
        ]
        if stale:
            print(f"Out of date: {', '.join(stale)}. Run: python -m ocr_project.settings_reference")
            return 1
        return 0
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
