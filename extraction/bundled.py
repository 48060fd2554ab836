"""invoice2data's bundled templates (215 issuers' invoices), loaded once: the contained children
that run them are forked from a server that imported this module (ocr_extract's AppConfig asks it
to), so no document pays the 0.2 s of reading them."""

from invoice2data.extract.loader import read_templates

#: By invoice2data's own order: the higher priority first.
TEMPLATES = sorted(read_templates(), key=lambda template: -int(template.get("priority", 5)))


def run_bundled(text: str) -> dict | None:
    """The first bundled template whose keywords `text` has, run as invoice2data runs it: its
    output (dates as ISO text), its name and its fields' regexes; None when none matches."""
    from extraction.templates import plain_output  # noqa: PLC0415

    for template in TEMPLATES:
        optimized = template.prepare_input(text)
        if not template.matches_input(optimized):
            continue
        try:
            output = template.extract(optimized, "", None)
        except Exception:  # noqa: BLE001 (a bundled template that fails on this text: the next one)
            continue
        if output:
            return {"output": plain_output(output), "template": dict(template)}
    return None
