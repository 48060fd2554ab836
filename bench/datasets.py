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


def _heavy_noise(rng, text, font):
    """Gaussian noise of σ ≈ 90 grey levels: a photo taken in the dark at a high ISO."""
    image = np.asarray(_draw(text, font, rng.randint(30, 40)), dtype=np.float32)
    noise_rng = np.random.default_rng(rng.randrange(2**32))
    image = image + noise_rng.normal(0, rng.uniform(85, 95), image.shape)
    return Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))


def _uneven_lighting(rng, text, font):
    """A strong left-to-right gradient: the paper goes from lit to shadowed, and the ink with it."""
    image = np.asarray(_draw(text, font, rng.randint(28, 36)), dtype=np.float32)
    dark, light = rng.uniform(0.15, 0.3), rng.uniform(0.9, 1.0)
    ramp = np.linspace(light, dark, image.shape[1])[np.newaxis, :]
    if rng.random() < 0.5:
        ramp = ramp[:, ::-1]
    return Image.fromarray(np.clip(image * ramp + 20 * ramp, 0, 255).astype(np.uint8))


def _tiny(rng, text, font):
    return _draw(text, font, rng.randint(8, 10), margin=rng.randint(3, 6))


def _heavy_jpeg(rng, text, font):
    """Saved as JPEG at quality 8 and decoded again: blocks and ringing around every letter."""
    image = _draw(text, font, rng.randint(24, 34)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=8)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def _rotated_more(rng, text, font):
    angle = rng.uniform(10, 15) * rng.choice([-1, 1])
    image = _draw(text, font, rng.randint(28, 36))
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


SETS = {
    "clean": _clean,
    "small (10-14 px)": _small,
    "noisy": _noisy,
    "low contrast + blur": _low_contrast_blurred,
    "rotated (±3-12°)": _rotated,
    "inverted": _inverted,
    "coloured background": _coloured,
    "two lines": _two_lines,
    "heavy noise (σ≈90)": _heavy_noise,
    "uneven lighting": _uneven_lighting,
    "tiny (8-10 px)": _tiny,
    "heavy JPEG (q=8)": _heavy_jpeg,
    "rotated (±10-15°)": _rotated_more,
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


# Photos of printed text, for the engines' comparison -------------------------------------------

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
#: Words of shop signs and product labels, put together into lines of 2-6 characters each.
CHINESE_WORDS = (
    "超市 药店 银行 饭店 面包 牛奶 苹果 价格 优惠 出口 入口 停车场 电话 地址 营业时间 欢迎光临 "
    "小心地滑 禁止吸烟 生产日期 保质期 净含量 配料 食品 有限公司 北京 上海 广州 深圳 人民路 "
    "中山路 收银台 会员 折扣 新鲜 水果 蔬菜 早餐 午餐 咖啡 茶叶 酒店 医院 学校 图书馆 地铁站"
).split()


@dataclass(frozen=True)
class Photo:
    image: Image.Image
    text: str  # every line drawn, top to bottom, joined by newlines


PHOTO_SETS = ("photos of printed text", "photos of Chinese labels")


def build_photos(name: str, *, count: int = 30, seed: int = 20261125) -> list[Photo]:
    """Phone photos of a printed card: 2-5 lines of words (English, or Chinese labels), on a
    cluttered background, seen at an angle (perspective), under a shadow, slightly out of focus,
    and saved as a phone saves it (JPEG). The text of each is what was printed."""
    rng = random.Random(f"{seed}:{name}")
    vocabulary = words()
    photos = []
    for _ in range(count):
        if name == "photos of Chinese labels":
            font = ImageFont.truetype(CJK_FONT, rng.randint(34, 56))
            lines = [
                "".join(rng.choice(CHINESE_WORDS) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(2, 4))
            ]
        else:
            font = ImageFont.truetype(rng.choice(FONTS), rng.randint(30, 48))
            lines = [
                " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(2, 5))
            ]
        photos.append(Photo(image=_photograph(rng, lines, font), text="\n".join(lines)))
    return photos


def _photograph(rng: random.Random, lines: list[str], font: ImageFont.FreeTypeFont) -> Image.Image:
    margin = font.size
    line_height = int(font.size * 1.5)
    card_width = max(int(font.getlength(line)) for line in lines) + 2 * margin
    card_height = line_height * len(lines) + 2 * margin
    paper = tuple(rng.randint(200, 250) for _ in range(3))
    ink = tuple(rng.randint(0, 70) for _ in range(3))
    card = Image.new("RGB", (card_width, card_height), paper)
    draw = ImageDraw.Draw(card)
    for number, line in enumerate(lines):
        draw.text((margin, margin + number * line_height), line, fill=ink, font=font)
    # The scene: a background of blotches in other colours, the card somewhere on it.
    width, height = int(card_width * rng.uniform(1.3, 1.6)), int(card_height * rng.uniform(1.4, 1.9))
    scene = Image.new("RGB", (width, height), tuple(rng.randint(40, 160) for _ in range(3)))
    scene_draw = ImageDraw.Draw(scene)
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        radius = rng.randint(10, max(11, width // 6))
        scene_draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius), fill=tuple(rng.randint(30, 200) for _ in range(3))
        )
    left, top = rng.randint(0, width - card_width), rng.randint(0, height - card_height)
    scene.paste(card, (left, top))
    # Seen at an angle: each corner of the scene moved by up to 8% of its size.
    jitter = [(rng.uniform(-0.08, 0.08) * width, rng.uniform(-0.08, 0.08) * height) for _ in range(4)]
    corners = [(0, 0), (0, height), (width, height), (width, 0)]
    quad = [coordinate for (x, y), (dx, dy) in zip(corners, jitter) for coordinate in (x + dx, y + dy)]
    scene = scene.transform((width, height), Image.Transform.QUAD, quad, resample=Image.Resampling.BICUBIC)
    # A shadow across part of the picture, and a little blur.
    pixels = np.asarray(scene, dtype=np.float32)
    ramp = np.linspace(1.0, rng.uniform(0.45, 0.75), width)[np.newaxis, :, np.newaxis]
    pixels = pixels * (ramp if rng.random() < 0.5 else ramp[:, ::-1])
    scene = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    scene = scene.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.3)))
    buffer = io.BytesIO()
    scene.save(buffer, format="JPEG", quality=rng.randint(55, 85))
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
