"""Tesseract's page segmentation modes for the engine-neutral layouts of `ocr_engine.base`."""

from ocr_engine.base import Layout

PAGE_SEGMENTATION_MODES: dict[Layout, int] = {
    "auto": 3,  # PSM_AUTO: blocks and columns found by layout analysis (tesseract's default)
    "block": 6,  # PSM_SINGLE_BLOCK: one uniform block of text
    "line": 7,  # PSM_SINGLE_LINE: exactly one line
}
