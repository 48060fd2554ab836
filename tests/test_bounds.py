"""ocr_engine.bounds: what an engine is handed of an image (no database, no engine)."""

from PIL import Image, ImageDraw

from ocr_engine.base import Line, Recognition, Word
from ocr_engine.bounds import (
    CROP_MARGIN_PX,
    MAX_SIDE_PX,
    bounded,
    content_box,
    placed_back,
    shrunk,
)


def test_a_blank_image_has_nothing_to_read():
    assert bounded(Image.new("L", (8000, 300), 255)).image is None
    assert bounded(Image.new("RGB", (40000, 24), "black")).image is None
    # Transparent everywhere is the white it is read on.
    assert bounded(Image.new("RGBA", (500, 500), (0, 0, 0, 0))).image is None


def test_faint_print_is_content_not_background():
    image = Image.new("L", (300, 100), 250)
    ImageDraw.Draw(image).rectangle((100, 40, 140, 60), fill=240)

    assert content_box(image) == (100, 40, 141, 61)


def test_a_large_image_with_little_on_it_is_cut_to_its_content_with_a_margin():
    image = Image.new("L", (6324, 6324), 255)
    image.putpixel((3162, 3162), 0)

    cut = bounded(image)

    assert cut.image.size == (2 * CROP_MARGIN_PX + 1, 2 * CROP_MARGIN_PX + 1)
    assert cut.offset == (3162 - CROP_MARGIN_PX, 3162 - CROP_MARGIN_PX)
    assert cut.scale == 1.0


def test_a_small_image_or_a_full_one_is_read_as_it_is():
    small = Image.new("L", (1000, 1000), 255)
    small.putpixel((10, 10), 0)
    full = Image.new("L", (3000, 3000), 255)
    ImageDraw.Draw(full).rectangle((100, 100, 2900, 2900), outline=0)

    assert bounded(small).image is small and not bounded(small).changed
    assert bounded(full).image is full and not bounded(full).changed


def test_a_side_longer_than_engines_take_is_scaled_down():
    image = Image.new("L", (40000, 60), 255)
    ImageDraw.Draw(image).rectangle((0, 20, 39999, 40), fill=0)

    scaled = bounded(image)

    assert max(scaled.image.size) == MAX_SIDE_PX
    assert scaled.scale == MAX_SIDE_PX / 40000


def test_what_is_read_in_the_cut_is_placed_back_in_the_original():
    word = Word("speck", 0.9, (10, 20, 30, 40), quad=((10, 20), (30, 20), (30, 40), (10, 40)))
    line = Line("speck", 0.9, (10, 20, 30, 40), (word,))
    cut = bounded(_with_a_dot_at(3000, 4000))

    placed = placed_back(Recognition("speck", 0.9, (line,)), cut)

    dx, dy = cut.offset
    assert placed.lines[0].box == (dx + 10, dy + 20, dx + 30, dy + 40)
    assert placed.lines[0].words[0].quad[2] == (dx + 30, dy + 40)


def test_an_image_over_a_pixel_budget_is_shrunk_to_it():
    image, scale = shrunk(Image.new("L", (8000, 5000)), max_pixels=10_000_000)

    assert image.size[0] * image.size[1] <= 10_000_000
    assert scale == 0.5
    assert shrunk(image, max_pixels=10_000_000) == (image, 1.0)


def _with_a_dot_at(x: int, y: int) -> Image.Image:
    image = Image.new("L", (5000, 5000), 255)
    image.putpixel((x, y), 0)
    return image
