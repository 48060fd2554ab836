"""PP-OCR on ONNX Runtime: text detection, a 0/180 line-direction classifier and recognition.

The models ship inside two pinned wheels (`MODELS`): PP-OCRv6 small detection and recognition in
`rapidocr`, PP-OCRv4's Chinese recognizer and the mobile direction classifier in
`rapidocr_onnxruntime`; nothing is downloaded. The packages' DB box post-processing is used; the
orchestration is ours, because their default call is tuned for a GPU and a batch, not for one
request on one core:

- one ONNX Runtime thread per call, like Tesseract (`OMP_THREAD_LIMIT=1`): the server's workers
  use the cores, and one request's threads must not fight another's;
- each line is recognized at its own width (the package pads every line to at least 320 px and a
  batch to its widest line: twice the work on a receipt, and no better reading);
- the detector caps the side it looks at (PaddleOCR's default, where the package enlarges every
  page to 736 px on its shorter side), so that a phone photo or a receipt costs what a page costs;
- a language without Chinese masks the Chinese characters out of the recognizer's choices, so
  that an English line cannot come back with a stray ideograph, unless the line is Chinese
  (`_holds_chinese`): then it is read as Chinese, asked or not;
- a line's words are cut where the print has spaces the recognizer did not write (`_spaced`).

Sessions are created once per process (`_session`) and shared by every engine instance and thread:
`InferenceSession.run` is thread-safe.
"""

import functools
import importlib.util
import logging
import math
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import cv2
import numpy as np
import onnxruntime
from PIL import Image
from rapidocr_onnxruntime.ch_ppocr_det.utils import DBPostProcess

from ocr_engine.base import (
    EngineUnavailable,
    Layout,
    Line,
    OcrEngine,
    OutOfMemory,
    Quad,
    Recognition,
    RecognitionFailed,
    RecognitionTimeout,
    Word,
    is_cjk,
)
from ocr_engine.bounds import moved_line, shrunk
from ocr_engine.deadline import seconds_left, timeout_message
from ocr_engine.images import as_engine_input
from ocr_engine.memory import give_memory_back
from ocr_engine.registry import get_engine

logger = logging.getLogger(__name__)

#: The recognizer's input height, and the narrowest a line is padded to: very short words
#: (a price, "SR") are read better with some room after them, as the model was trained.
LINE_HEIGHT_PX = 48
MIN_LINE_WIDTH_PX = 96
#: A line wider than this (at 48 px high) is squeezed to it: a bound on one call's cost that real
#: lines stay under (a 2,000 px scanned line of 32 px is 3,000 px at 48).
MAX_LINE_WIDTH_PX = 3200
#: The detector: pages are looked at with their shorter side at least this (smaller ones are
#: enlarged so that their text is found), and their longer side at most DETECT_MAX_SIDE_PX, which
#: is PaddleOCR's own default (`det_limit_side_len`): on the real receipts it found as much as
#: 1,280 or 1,600 did, at half the cost.
DETECT_MIN_SIDE_PX = 736
DETECT_MAX_SIDE_PX = 960
#: ...except a strip (a screenshot of two lines, 1167 x 54): capped at 960 px long its lines would
#: be 20 px apart and found as one, so its shorter side is kept at least this, its longer side
#: then at most DETECT_MAX_STRIP_SIDE_PX.
DETECT_MIN_SHORT_SIDE_PX = 128
DETECT_MAX_STRIP_SIDE_PX = 4096
#: A one-line image's ink is found on a copy of at most this many pixels (real lines have fewer).
INK_BOUNDS_MAX_PIXELS = 1_000_000
#: The engine never works on more pixels than this (larger images are scaled down first, and what
#: is read placed back): OpenCV's copies of a 40-million-pixel image ran a worker out of memory
#: at 2 GB, and a page at 300 dpi (8.7 million) or a 12-megapixel photo keep every pixel.
MAX_PIXELS = 16_000_000
#: A detected line read with less confidence than this is shown to the direction classifier; one
#: it finds upside down with at least UPSIDE_DOWN_ABOVE probability is also read turned, and the
#: surer of the two readings kept.
UPRIGHT_SURE = 0.9
UPSIDE_DOWN_ABOVE = 0.9
#: Where PP-OCR's recognizer runs words together (it often does on receipts: "SDNBHD"), a space
#: is put where the print has one: between two characters, a run of blank columns at least
#: SPACE_MIN_HEIGHTS of the line's height and SPACE_MIN_PITCHES of its character pitch, or one of
#: SPACE_SURE_HEIGHTS alone. Chosen by 5-fold cross-validation over the receipts of the real
#: development sets (README "Engines").
SPACE_MIN_HEIGHTS = 0.26
SPACE_MIN_PITCHES = 0.55
SPACE_SURE_HEIGHTS = 0.6
#: A line of an image read in a language without Chinese is read as Chinese when the recognizer,
#: every character allowed, finds at least this many CJK characters, making at least this share
#: of the line, with at least this mean probability (README "Engines": measured on the real and
#: synthetic sets, English and Chinese).
CHINESE_MIN_CHARACTERS = 2
CHINESE_MIN_SHARE = 0.2
CHINESE_SURE = 0.7
#: Lines read with a mean character probability under this are dropped (the package's default):
#: what the detector took for text and the recognizer could not make anything of.
MIN_LINE_CONFIDENCE = 0.5


#: The models, by role, and where each ships: the pip package (import name) and its file in the
#: package's `models/`. Chosen on the benchmark's sets (README "Engines"): PP-OCRv6 small finds and
#: reads lines better than PP-OCRv4 everywhere but in Chinese, which v4's recognizer reads better.
#: Nothing is downloaded: a missing file makes the engine unavailable (`manage.py check` says so).
MODELS = {
    "detector": ("rapidocr", "PP-OCRv6_det_small.onnx"),
    "recognizer": ("rapidocr", "PP-OCRv6_rec_small.onnx"),
    "chinese_recognizer": ("rapidocr_onnxruntime", "ch_PP-OCRv4_rec_infer.onnx"),
    "classifier": ("rapidocr_onnxruntime", "ch_ppocr_mobile_v2.0_cls_infer.onnx"),
}


def model_path(model: tuple[str, str]) -> Path:
    """The file of `model` (package, file name), inside its installed package (found without
    importing the package: rapidocr's own code, which downloads what it misses, never runs)."""
    package, file_name = model
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EngineUnavailable(f"the PP-OCR models' package {package} is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / file_name
    if not path.is_file():
        raise EngineUnavailable(f"the PP-OCR model {path} is missing (reinstall {package})")
    return path


@functools.cache
def _session(model: tuple[str, str]) -> onnxruntime.InferenceSession:
    """One ONNX session per model and process, shared by every engine and thread."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    # No memory arena: ONNX Runtime's arena keeps its peak for ever (600 MiB a worker, measured);
    # without it the buffers are freed after each call, and `give_memory_back` returns them.
    options.enable_cpu_mem_arena = False
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(
        str(model_path(model)), sess_options=options, providers=["CPUExecutionProvider"]
    )


@dataclass(frozen=True)
class _Recognizer:
    session: onnxruntime.InferenceSession
    characters: tuple[str, ...]
    #: Indices of the characters that are not CJK: what a non-Chinese language keeps.
    latin_indices: np.ndarray


@functools.cache
def _recognizer(model: tuple[str, str]) -> _Recognizer:
    session = _session(model)
    # The model's own alphabet, kept in its metadata; CTC's blank comes first, the space last.
    alphabet = session.get_modelmeta().custom_metadata_map["character"].splitlines()
    characters = ("", *alphabet, " ")
    latin = np.array([index for index, character in enumerate(characters) if not (character and is_cjk(character))])
    return _Recognizer(session=session, characters=characters, latin_indices=latin)


#: DB's post-processing with the packages' defaults (box threshold, unclip ratio).
_POSTPROCESS = DBPostProcess(
    thresh=0.3, box_thresh=0.5, max_candidates=1000, unclip_ratio=1.6, score_mode="fast", use_dilation=True
)


class PpocrEngine(OcrEngine):
    """Reads photos, receipts, signs and Chinese far better than Tesseract; clean document pages,
    faint text and dense print worse (README, "Engines"). `layout="line"` reads the whole image as
    one line with the recognizer alone (a cropped word or line: the detector finds nothing in a
    crop with no margin); any other layout detects the lines first."""

    name = "ppocr"
    #: The model of each role (a subclass may read with others: the benchmark's PP-OCRv4).
    models = MODELS

    def __init__(self, *, language: str = "eng", timeout_seconds: float | None = None) -> None:
        super().__init__(language=language, timeout_seconds=timeout_seconds)
        self.reads_chinese = any(name.startswith("chi") for name in language.split("+"))
        self._detector = _session(self.models["detector"])
        self._classifier = _session(self.models["classifier"])
        self._recognizer = _recognizer(self.models["chinese_recognizer" if self.reads_chinese else "recognizer"])

    @classmethod
    def missing_models(cls) -> list[str]:
        missing = []
        for model in sorted(set(cls.models.values())):
            try:
                model_path(model)
            except EngineUnavailable as error:
                missing.append(str(error))
        return missing

    def detect_orientation(self, image: Image.Image) -> int:
        """Tesseract's orientation detection (OSD): a page's turn is found from its layout, which
        PP-OCR's line classifier (0 or 180 degrees, one line at a time) does not see."""
        return get_engine("tesserocr", timeout_seconds=self.timeout_seconds).detect_orientation(image)

    @functools.cached_property
    def version(self) -> str:
        return (
            f"rapidocr {metadata.version('rapidocr')} (PP-OCRv6 small), rapidocr_onnxruntime "
            f"{metadata.version('rapidocr_onnxruntime')} (PP-OCRv4 Chinese), onnxruntime {metadata.version('onnxruntime')}"
        )

    def recognize(self, image: Image.Image, *, layout: Layout = "auto", with_lines: bool = False) -> Recognition:
        engine_input, scale = shrunk(as_engine_input(image), max_pixels=MAX_PIXELS)
        pixels = _bgr(engine_input)
        deadline = _Deadline(self.timeout_seconds)
        try:
            if layout == "line":
                # The image is the line: no classifier (it turns more upright crops the wrong way
                # than it rights, on the real line sets) and no confidence floor (a doubtful
                # reading is still this engine's reading of it, for the caller to weigh).
                line = self._read_whole_line(pixels, deadline)
                lines = [line] if line is not None else []
            else:
                lines = self._read_lines(pixels, self._detect(pixels, deadline), deadline)
                if not lines:
                    # The detector misses text that touches the image's edges: a word or a line
                    # cut close from a bigger picture. Such an image is read as the line it is.
                    line = self._read_whole_line(pixels, deadline)
                    lines = [line] if line is not None and line.confidence >= MIN_LINE_CONFIDENCE else []
        except RecognitionTimeout:
            raise
        except Exception as error:  # onnxruntime and OpenCV raise their own types
            raise _failure(error) from error
        finally:
            if layout != "line":
                # ONNX Runtime frees a detection's activations (tens of MB) after the call, and
                # glibc keeps freed heap for later: a worker climbed to 480-525 MiB within a few
                # hundred readings. Trimming after every detection kept it at 280 MiB but cost
                # 5-25 % of each (the next detection faults its pages in again); a fixed mmap
                # threshold cost 20-60 %; ONNX Runtime's own arena kept 600 MiB. Trimming past a
                # ceiling keeps the worker under it at almost no cost (README "Engines").
                give_memory_back()
        if scale != 1.0:
            lines = [moved_line(line, (0, 0), scale) for line in lines]
        words = [word for line in lines for word in line.words]
        return Recognition(
            text="".join(line.text + "\n" for line in lines),
            confidence=sum(word.confidence for word in words) / len(words) if words else None,
            lines=tuple(lines) if with_lines else (),
        )

    # Detection ------------------------------------------------------------------------------

    def _detect(self, pixels: np.ndarray, deadline: "_Deadline") -> list[Quad]:
        """The text lines' quadrilaterals in `pixels`, in reading order."""
        height, width = pixels.shape[:2]
        scale = 1.0
        if min(height, width) < DETECT_MIN_SIDE_PX:
            scale = DETECT_MIN_SIDE_PX / min(height, width)
        if max(height, width) * scale > DETECT_MAX_SIDE_PX:
            scale = DETECT_MAX_SIDE_PX / max(height, width)
        if min(height, width) * scale < DETECT_MIN_SHORT_SIDE_PX:
            scale = min(DETECT_MIN_SHORT_SIDE_PX / min(height, width), DETECT_MAX_STRIP_SIDE_PX / max(height, width))
        resized_height = max(32, round(height * scale / 32) * 32)
        resized_width = max(32, round(width * scale / 32) * 32)
        resized = cv2.resize(pixels, (resized_width, resized_height))
        batch = ((resized.astype(np.float32) / 255 - 0.5) / 0.5).transpose(2, 0, 1)[np.newaxis]
        probability = deadline.run(self._detector, batch)
        boxes, _ = _POSTPROCESS(probability, (height, width))
        quads = []
        for box in boxes:
            quad = _clockwise(np.asarray(box, dtype=np.float32))
            if np.linalg.norm(quad[0] - quad[1]) > 3 and np.linalg.norm(quad[0] - quad[3]) > 3:
                quads.append(tuple((float(x), float(y)) for x, y in quad))
        return _reading_order(quads)

    # Recognition ----------------------------------------------------------------------------

    def _read_lines(self, pixels: np.ndarray, quads: list[Quad], deadline: "_Deadline") -> list[Line]:
        """Each detected line read, upright. A line read with doubt is shown to the direction
        classifier, and one it finds upside down is read turned too, the surer reading kept (the
        classifier alone turns about one upright line in fifty of the real sets the wrong way; a
        line read upside down is read with doubt, so the lines read surely need no classifier).
        Lines read with too little confidence are dropped: what the detector took for text and was
        not."""
        crops = [_crop(pixels, quad) for quad in quads]
        lines = [self._read_line(crop, quad, deadline) for quad, crop in zip(quads, crops)]
        doubtful = [index for index, line in enumerate(lines) if line is None or line.confidence < UPRIGHT_SURE]
        flags = self._upside_down([crops[index] for index in doubtful], deadline)
        for index in (index for index, flagged in zip(doubtful, flags) if flagged):
            quad = quads[index]
            # The text's top-left is the crop's bottom-right.
            turned = self._read_line(crops[index][::-1, ::-1], (quad[2], quad[3], quad[0], quad[1]), deadline)
            if turned is not None and (lines[index] is None or turned.confidence > lines[index].confidence):
                lines[index] = turned
        return [line for line in lines if line is not None and line.confidence >= MIN_LINE_CONFIDENCE]

    def _read_whole_line(self, pixels: np.ndarray, deadline: "_Deadline") -> Line | None:
        """The image read as one line, cut close to its ink."""
        left, top, right, bottom = _ink_bounds(pixels)
        whole = ((left, top), (right, top), (right, bottom), (left, bottom))
        return self._read_line(pixels[int(top) : int(bottom), int(left) : int(right)], whole, deadline)

    def _upside_down(self, crops: list[np.ndarray], deadline: "_Deadline") -> list[bool]:
        """Which crops the direction classifier finds turned by 180 degrees (one call for all)."""
        if not crops:
            return []
        batch = np.zeros((len(crops), 3, 48, 192), dtype=np.float32)
        for index, crop in enumerate(crops):
            width = min(192, math.ceil(48 * crop.shape[1] / crop.shape[0]))
            resized = cv2.resize(crop, (width, 48)).astype(np.float32)
            batch[index, :, :, :width] = ((resized / 255 - 0.5) / 0.5).transpose(2, 0, 1)
        probabilities = deadline.run(self._classifier, batch)
        return [bool(row[1] > UPSIDE_DOWN_ABOVE and row[1] > row[0]) for row in probabilities]

    def _read_line(self, crop: np.ndarray, quad: Quad, deadline: "_Deadline") -> Line | None:
        """One line's text, read at its own width, with its words located along `quad`."""
        height, width = crop.shape[:2]
        text_width = min(MAX_LINE_WIDTH_PX, max(1, math.ceil(LINE_HEIGHT_PX * width / height)))
        padded_width = max(MIN_LINE_WIDTH_PX, math.ceil(text_width / 8) * 8)
        batch = np.zeros((1, 3, LINE_HEIGHT_PX, padded_width), dtype=np.float32)
        resized = cv2.resize(crop, (text_width, LINE_HEIGHT_PX)).astype(np.float32)
        batch[0, :, :, :text_width] = ((resized / 255 - 0.5) / 0.5).transpose(2, 0, 1)
        recognizer = self._recognizer
        scores = deadline.run(recognizer.session, batch)[0]
        if not self.reads_chinese:
            if _holds_chinese(scores, recognizer.characters):
                # Chinese found without being asked: read as a Chinese reading reads it.
                chinese = _recognizer(self.models["chinese_recognizer"])
                if chinese is not recognizer:
                    recognizer, scores = chinese, deadline.run(chinese.session, batch)[0]
            else:
                masked = np.full_like(scores, -1.0)
                masked[:, recognizer.latin_indices] = scores[:, recognizer.latin_indices]
                scores = masked
        best, columns = _decoded(scores)
        probability = scores.max(axis=1)
        if not len(columns):
            return None
        # Each output column covers this many pixels of the resized line; back to the crop's pixels.
        column_px = padded_width / len(best) * width / text_width
        characters = _spaced(
            [(recognizer.characters[best[column]], float(probability[column]), column) for column in columns],
            crop,
            column_px,
        )
        words = _words(characters, column_px, width, quad)
        if not words:
            return None
        confidence = sum(probability[columns]) / len(columns)
        return Line(
            # The recognizer's spaces and the print's, none inside Chinese.
            text=" ".join("".join(character[0] for character in characters).split()),
            confidence=float(confidence),
            box=_enclosing(quad),
            words=tuple(words),
            quad=quad,
            engine=self.name,
        )


def _decoded(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CTC's greedy reading of the recognizer's `scores`: each column's best class, and the columns
    that are characters (whose best class is not the blank and differs from the column before)."""
    best = scores.argmax(axis=1)
    kept = (best != 0) & np.concatenate(([True], best[1:] != best[:-1]))
    return best, np.nonzero(kept)[0]


def _holds_chinese(scores: np.ndarray, characters: tuple[str, ...]) -> bool:
    """Whether a line the recognizer read (its `scores`, every character allowed) is Chinese: at
    least CHINESE_MIN_CHARACTERS of its characters, and CHINESE_MIN_SHARE of them, are CJK, read
    with CHINESE_SURE mean probability. A stray ideograph in an English line is none of these."""
    best, columns = _decoded(scores)
    chinese = [column for column in columns if is_cjk(characters[best[column]][:1] or " ")]
    return (
        len(chinese) >= CHINESE_MIN_CHARACTERS
        and len(chinese) >= CHINESE_MIN_SHARE * len(columns)
        and float(scores[chinese, best[chinese]].mean()) >= CHINESE_SURE
    )


def _spaced(
    characters: list[tuple[str, float, int]], crop: np.ndarray, column_px: float
) -> list[tuple[str, float, int]]:
    """`characters` with a space between two of them wherever the print has one that the
    recognizer did not write: a blank stretch of the line's crop, wide for its height and its
    characters' pitch. Glyphs narrower than their cell (a "1" in a receipt's monospaced digits)
    leave blank beside them too, hence the pitch."""
    height = crop.shape[0]
    positions = [column for character, _, column in characters if not character.isspace()]
    if len(positions) < 2:
        return characters
    ink = _ink_columns(crop)
    pitch_px = float(np.median(np.diff(positions))) * column_px
    spaced: list[tuple[str, float, int]] = []
    for character in characters:
        before = spaced[-1] if spaced else None
        if before is not None and not before[0].isspace() and not character[0].isspace():
            blank = _longest_blank(ink, before[2] * column_px, (character[2] + 1) * column_px)
            if _is_space(before[0], character[0], blank / height, blank / pitch_px):
                spaced.append((" ", 1.0, character[2]))
        spaced.append(character)
    return spaced


def _is_space(before: str, after: str, heights: float, pitches: float) -> bool:
    """Whether a blank `heights` of the line's height and `pitches` of its pitch wide, between
    the characters `before` and `after`, is a space. A point or comma stands apart from its
    neighbours in a receipt's monospaced figures ("8 .80", "RM11. 60") and is never one; two
    digits, or a hyphen and its neighbours ("18-11-18"), are apart only by a whole empty
    character cell (a "1" or a "-" leaves most of its cell blank)."""
    if is_cjk(before) or is_cjk(after):  # Chinese is written without spaces
        return False
    if after in ".," or (before in ".," and after.isdigit()):
        return False
    if (before.isdigit() and after.isdigit()) or "-" in (before, after):
        return heights >= SPACE_MIN_HEIGHTS and pitches >= 1
    return heights >= SPACE_MIN_HEIGHTS and (pitches >= SPACE_MIN_PITCHES or heights >= SPACE_SURE_HEIGHTS)


def _ink_columns(crop: np.ndarray) -> np.ndarray:
    """How many ink pixels each column of a line's crop has (dark on light or light on dark)."""
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    if np.median(gray) < 128:
        gray = 255 - gray
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return np.count_nonzero(ink, axis=0)


def _longest_blank(ink: np.ndarray, start: float, end: float) -> int:
    """The longest run of columns without ink between pixels `start` and `end`."""
    blank = ink[max(0, round(start)) : max(0, round(end))] == 0
    if not blank.any():
        return 0
    # Run lengths: the distance between the ends of the runs of True.
    edges = np.flatnonzero(np.diff(np.concatenate(([0], blank.astype(np.int8), [0]))))
    return int((edges[1::2] - edges[::2]).max())


def _words(characters: list[tuple[str, float, int]], column_px: float, width: int, quad: Quad) -> list[Word]:
    """Split a line's characters into words at spaces (and around each CJK character, which is
    a word of its own as Tesseract counts them), each located along the line's quadrilateral."""
    groups: list[list[tuple[str, float, int]]] = []
    for character in characters:
        text = character[0]
        if text.isspace():
            groups.append([])
            continue
        if not groups or (groups[-1] and (is_cjk(text) or is_cjk(groups[-1][-1][0]))):
            groups.append([])
        groups[-1].append(character)
    words = []
    for group in (group for group in groups if group):
        # A character's column is where the model saw its middle; half a column either side.
        left = max(0.0, (group[0][2] - 0.5) * column_px)
        right = min(float(width), (group[-1][2] + 1.5) * column_px)
        word_quad = _along(quad, left / width, right / width)
        words.append(
            Word(
                text="".join(character[0] for character in group),
                confidence=sum(character[1] for character in group) / len(group),
                box=_enclosing(word_quad),
                quad=word_quad,
            )
        )
    return words


def _along(quad: Quad, start: float, end: float) -> Quad:
    """The part of `quad` between fractions `start` and `end` of its length."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad

    def top(t):
        return (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)

    def bottom(t):
        return (x3 + (x2 - x3) * t, y3 + (y2 - y3) * t)

    return (top(start), top(end), bottom(end), bottom(start))


def _enclosing(quad: Quad) -> tuple[int, int, int, int]:
    xs = [x for x, _ in quad]
    ys = [y for _, y in quad]
    return math.floor(min(xs)), math.floor(min(ys)), math.ceil(max(xs)), math.ceil(max(ys))


def _crop(pixels: np.ndarray, quad: Quad) -> np.ndarray:
    """The line inside `quad`, straightened to a rectangle (a tall one is a vertical line: turned)."""
    points = np.asarray(quad, dtype=np.float32)
    width = max(1, int(max(np.linalg.norm(points[0] - points[1]), np.linalg.norm(points[2] - points[3]))))
    height = max(1, int(max(np.linalg.norm(points[0] - points[3]), np.linalg.norm(points[1] - points[2]))))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    crop = cv2.warpPerspective(
        pixels,
        cv2.getPerspectiveTransform(points, target),
        (width, height),
        borderMode=cv2.BORDER_REPLICATE,
        flags=cv2.INTER_CUBIC,
    )
    return crop


def _clockwise(points: np.ndarray) -> np.ndarray:
    """Four points ordered top-left, top-right, bottom-right, bottom-left."""
    by_x = points[np.argsort(points[:, 0])]
    left = by_x[:2][np.argsort(by_x[:2, 1])]
    right = by_x[2:][np.argsort(by_x[2:, 1])]
    return np.array([left[0], right[0], right[1], left[1]], dtype=np.float32)


def _reading_order(quads: list[Quad]) -> list[Quad]:
    """Top to bottom, and left to right within a row: two boxes whose vertical middles are within
    half a line height of each other are on the same row (a receipt's item and its price)."""
    ordered: list[list[Quad]] = []
    for quad in sorted(quads, key=lambda quad: (quad[0][1] + quad[3][1]) / 2):
        middle = (quad[0][1] + quad[3][1]) / 2
        height = abs(quad[3][1] - quad[0][1])
        if ordered:
            row_middle = sum((q[0][1] + q[3][1]) / 2 for q in ordered[-1]) / len(ordered[-1])
            if abs(middle - row_middle) < height / 2:
                ordered[-1].append(quad)
                continue
        ordered.append([quad])
    return [quad for row in ordered for quad in sorted(row, key=lambda quad: quad[0][0])]


def _ink_bounds(pixels: np.ndarray) -> tuple[float, float, float, float]:
    """Where the ink of a one-line image is, with a margin of a fifth of its height: the
    recognizer reads a line cut close, as it was trained, and misreads one lost in a wide margin
    (a drawn line with a margin of a letter's height all round read 70 % right, cut close 98 %).
    The whole image when it has no ink apart from its background.

    The light is evened out first (the image divided by its background, what a closing larger
    than the strokes leaves), so that a shadow across the line is not taken for ink."""
    height, width = pixels.shape[:2]
    if height * width > INK_BOUNDS_MAX_PIXELS:
        # Measured on a smaller copy: the background's closing costs with the pixels times the
        # image's height (minutes on a 6324-pixel square), and a margin needs no finer measure.
        # Rounded down: rounded up, the copy could be over the limit again, and measured again
        # without end (a blank 8000×300 strip did that until Python's recursion limit).
        scale = (INK_BOUNDS_MAX_PIXELS / (height * width)) ** 0.5
        small = cv2.resize(
            pixels, (max(1, int(width * scale)), max(1, int(height * scale))), interpolation=cv2.INTER_AREA
        )
        left, top, right, bottom = _ink_bounds_of(small)
        return (
            max(0.0, left / scale),
            max(0.0, top / scale),
            min(float(width), right / scale),
            min(float(height), bottom / scale),
        )
    return _ink_bounds_of(pixels)


def _ink_bounds_of(pixels: np.ndarray) -> tuple[float, float, float, float]:
    gray = cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)
    if np.median(gray) < 128:  # light text on a dark background: made dark on light
        gray = 255 - gray
    height, width = gray.shape
    size = max(15, height // 2 * 2 + 1)
    background = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    even = cv2.medianBlur(cv2.divide(gray, np.maximum(background, 1), scale=255), 3)
    _, ink = cv2.threshold(even, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    rows, columns = np.nonzero(ink.any(axis=1))[0], np.nonzero(ink.any(axis=0))[0]
    if not len(rows):
        return 0.0, 0.0, float(width), float(height)
    margin = max(2, round((rows[-1] - rows[0] + 1) / 5))
    return (
        float(max(0, columns[0] - margin)),
        float(max(0, rows[0] - margin)),
        float(min(width, columns[-1] + 1 + margin)),
        float(min(height, rows[-1] + 1 + margin)),
    )


def _failure(error: Exception) -> RecognitionFailed:
    """What to tell of an error of OpenCV or ONNX Runtime: in words, without their source paths
    and versions (logged for the operator)."""
    logger.warning("PP-OCR failed: %s", error)
    message = str(error)
    if isinstance(error, MemoryError) or "Insufficient memory" in message or "Failed to allocate" in message:
        return OutOfMemory("PP-OCR ran out of the memory it may use on this image")
    return RecognitionFailed("PP-OCR could not read this image")


def _bgr(image: Image.Image) -> np.ndarray:
    """The pixels as the PaddleOCR models were trained on them: 8-bit, three channels, BGR."""
    rgb = np.asarray(image.convert("RGB"))
    return np.ascontiguousarray(rgb[:, :, ::-1])


class _Deadline:
    """The time limit of one recognition, over all its model calls (and within the reading's,
    `ocr_engine.deadline`): each call gets the time left, and is stopped by ONNX Runtime's
    terminate flag when it runs past it."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds if seconds else None

    def run(self, session, batch: np.ndarray) -> np.ndarray:
        own = None if self.ends is None else self.ends - time.monotonic()
        if own is not None and own <= 0:
            raise RecognitionTimeout(timeout_message("PP-OCR", self.seconds))
        left = seconds_left(own)
        if left is None:
            return session.run(None, {session.get_inputs()[0].name: batch})[0]
        options = onnxruntime.RunOptions()
        timer = threading.Timer(left, lambda: setattr(options, "terminate", True))
        timer.start()
        try:
            return session.run(None, {session.get_inputs()[0].name: batch}, options)[0]
        except Exception as error:
            if options.terminate:
                raise RecognitionTimeout(timeout_message("PP-OCR", self.seconds)) from error
            raise
        finally:
            timer.cancel()
