"""Deterministic image sets for the accuracy benchmark: what parse_letter gets in practice.

Every set is drawn from one seed, so two runs (and two machines with the same fonts) measure the
same images. Texts are real English words (Debian's `wamerican` list) and random letter strings,
in several fonts from Debian's font packages.
"""

import io
import random
import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

WORDS_FILE = Path("/usr/share/dict/words")
FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSerif.ttf",
]
IMAGES_PER_SET = 120


@dataclass(frozen=True)
class Sample:
    image: Image.Image
    text: str  # what was drawn

    @property
    def letters(self) -> str:
        return "".join(character for character in self.text if character.isalpha())


def words() -> list[str]:
    words = WORDS_FILE.read_text(encoding="utf-8").split()
    return sorted({word for word in words if word.isascii() and word.isalpha() and 3 <= len(word) <= 10})


def _text(rng: random.Random, words: list[str]) -> str:
    """Half real words (one to three), half a random string of letters."""
    if rng.random() < 0.5:
        return " ".join(rng.choice(words) for _ in range(rng.randint(1, 3)))
    alphabet = string.ascii_lowercase if rng.random() < 0.7 else string.ascii_letters
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(4, 10)))


def _draw(text: str, font_path: str, size: int, ink=0, paper=255, mode="L", margin=None) -> Image.Image:
    font = ImageFont.truetype(font_path, size)
    lines = text.split("\n")
    margin = size if margin is None else margin
    line_height = int(size * 1.4)
    width = max(int(font.getlength(line)) for line in lines) + 2 * margin
    height = line_height * len(lines) + 2 * margin
    image = Image.new(mode, (width, height), paper)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((margin, margin + number * line_height), line, fill=ink, font=font)
    return image


def _clean(rng, text, font):
    return _draw(text, font, rng.randint(28, 40))


def _small(rng, text, font):
    return _draw(text, font, rng.randint(10, 14), margin=rng.randint(4, 10))


def _noisy(rng, text, font):
    image = np.asarray(_draw(text, font, rng.randint(26, 36)), dtype=np.float32)
    noise_rng = np.random.default_rng(rng.randrange(2**32))
    image = image + noise_rng.normal(0, rng.uniform(30, 50), image.shape)
    speckles = noise_rng.random(image.shape)
    image[speckles < 0.02] = 0
    image[speckles > 0.98] = 255
    return Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))


def _low_contrast_blurred(rng, text, font):
    paper = rng.randint(170, 230)
    ink = paper - rng.randint(45, 70)
    image = _draw(text, font, rng.randint(26, 36), ink=ink, paper=paper)
    return image.filter(ImageFilter.GaussianBlur(rng.uniform(1.0, 1.8)))


def _rotated(rng, text, font):
    angle = rng.uniform(3, 12) * rng.choice([-1, 1])
    image = _draw(text, font, rng.randint(28, 36))
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def _inverted(rng, text, font):
    paper = rng.randint(0, 60)
    ink = rng.randint(200, 255)
    return _draw(text, font, rng.randint(26, 36), ink=ink, paper=paper)


def _coloured(rng, text, font):
    paper = tuple(rng.randint(120, 255) for _ in range(3))
    # Ink darker than the paper in every channel by a margin, in another hue.
    ink = tuple(max(0, channel - rng.randint(90, 140)) for channel in paper[::-1])
    ink = tuple(min(value, paper[index] - 80) for index, value in enumerate(ink))
    ink = tuple(max(0, value) for value in ink)
    return _draw(text, font, rng.randint(26, 36), ink=ink, paper=paper, mode="RGB")


def _two_lines(rng, text, font):
    return _draw(text, font, rng.randint(26, 36))


SETS = {
    "clean": _clean,
    "small (10-14 px)": _small,
    "noisy": _noisy,
    "low contrast + blur": _low_contrast_blurred,
    "rotated (±3-12°)": _rotated,
    "inverted": _inverted,
    "coloured background": _coloured,
    "two lines": _two_lines,
}


def build(name: str, *, count: int = IMAGES_PER_SET, seed: int = 20261124) -> list[Sample]:
    """The `count` samples of set `name`, the same on every call."""
    rng = random.Random(f"{seed}:{name}")
    vocabulary = words()
    samples = []
    for _ in range(count):
        text = _text(rng, vocabulary)
        if name == "two lines":
            text = f"{text}\n{_text(rng, vocabulary)}"
        image = SETS[name](rng, text, rng.choice(FONTS))
        samples.append(Sample(image=image, text=text))
    return samples


def draw_word(rng: random.Random, vocabulary: list[str]) -> Image.Image:
    """One clean image of a random text, for load that needs many distinct images."""
    return _clean(rng, _text(rng, vocabulary), rng.choice(FONTS))


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# Pages of text, for parse_text ---------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    image: Image.Image
    words: list[tuple[str, tuple[int, int, int, int]]]  # each drawn word and its box, in order

    @property
    def text(self) -> str:
        return " ".join(word for word, _ in self.words)


PAGE_SETS = ("pages", "pages turned 90/180/270")


def build_pages(name: str, *, count: int = 60, seed: int = 20261124) -> list[Page]:
    """Pages of 3-6 lines of 2-6 real words; the second set turns each page by a right angle."""
    from ocr_engine.geometry import Turns, bounds

    rng = random.Random(f"{seed}:{name}")
    vocabulary = words()
    pages = []
    for _ in range(count):
        font = ImageFont.truetype(rng.choice(FONTS), rng.randint(20, 32))
        lines = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(2, 6))) for _ in range(rng.randint(3, 6))]
        margin = rng.randint(20, 60)
        line_height = int(font.size * 1.6)
        width = max(int(font.getlength(line)) for line in lines) + 2 * margin
        image = Image.new("L", (width, line_height * len(lines) + 2 * margin), 255)
        draw = ImageDraw.Draw(image)
        drawn = []
        for number, line in enumerate(lines):
            x, y = margin, margin + number * line_height
            for word in line.split():
                drawn.append((word, draw.textbbox((x, y), word, font=font)))
                draw.text((x, y), word, fill=0, font=font)
                x += font.getlength(word + " ")
        if name == "pages turned 90/180/270":
            degrees = rng.choice([90, 180, 270])
            turned = image.rotate(-degrees, expand=True)
            to_turned = Turns()
            to_turned.add(degrees, turned.size, image.size)
            drawn = [(word, bounds(to_turned.quad(box, turned.size))) for word, box in drawn]
            image = turned
        pages.append(Page(image=image, words=drawn))
    return pages
