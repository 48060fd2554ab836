"""The configuration page and .env.example are written from the code that reads each variable
(ocr_project/settings_reference.py): they must be as the code would write them now, and every
variable must say what it means."""

import re
import subprocess
from pathlib import Path

from ocr_project import settings_reference
from ocr_project.settings_reference import variables

ROOT = Path(__file__).resolve().parent.parent


def test_the_configuration_page_is_what_the_settings_would_write():
    assert (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8") == settings_reference.page(), (
        "run: python -m ocr_project.settings_reference"
    )


def test_env_example_is_what_the_settings_would_write_and_every_value_in_it_is_accepted():
    assert (ROOT / ".env.example").read_text(encoding="utf-8") == settings_reference.env_example()
    checked = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "check"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "OCR_ENV_FILE": str(ROOT / ".env.example")},
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr[-2000:]


def test_every_variable_has_a_section_a_meaning_and_one_row():
    found = variables()
    assert len(found) == len({variable.name for variable in found})
    for variable in found:
        assert variable.section and len(variable.meaning) > 20, variable


def test_no_variable_is_read_outside_the_sources_the_page_is_made_from():
    """A variable read anywhere else in the service's code would be missing from the page."""
    listed = {variable.name for variable in variables()}
    code = subprocess.run(
        ["git", "grep", "-hE", r"(env_[a-z]+|os\.environ\.get)\(\"[A-Z_]+\"", "--", "*.py", ":!tests", ":!bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    read = set(re.findall(r"(?:env_[a-z]+|os\.environ\.get)\(\"([A-Z_]+)\"", code))
    assert read and read <= listed, read - listed
