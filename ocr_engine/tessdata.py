"""Where Tesseract's language data is on this machine."""

import os
from pathlib import Path

from ocr_engine.base import EngineUnavailable

# The variable read here is listed on the configuration page in this section:
# ## Engines

# Debian's tesseract-ocr-* packages (bookworm and later), then older releases.
_KNOWN_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata")


def tessdata_dir(language: str) -> str:
    """The directory holding `<lang>.traineddata` for every language of `language` (e.g. eng+deu).

    TESSDATA_PREFIX, Tesseract's own variable, wins when it is set.
    """
    # The directory of Tesseract's language data (Tesseract's own variable); unset: Debian's.
    candidates = [os.environ["TESSDATA_PREFIX"]] if os.environ.get("TESSDATA_PREFIX") else list(_KNOWN_DIRS)
    languages = language.split("+")
    for candidate in candidates:
        if all((Path(candidate) / f"{name}.traineddata").is_file() for name in languages):
            return candidate.rstrip("/") + "/"
    raise EngineUnavailable(
        f"no Tesseract language data for {language!r} in {', '.join(candidates)} "
        f"(Debian: apt-get install {' '.join('tesseract-ocr-' + name.replace('_', '-').lower() for name in languages)})"
    )
