"""Files beside briefings (issue 12 item 1): bundles, images with sizes and WebP variants, the card picture."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image

from .helpers import briefing, run_sitegen, write

STORY = "content/briefings/2024/05/story"
PAGE = "briefings/2024/05/story/index.html"


def picture(path: Path, size: tuple[int, int], colour=(200, 30, 30), mode: str = "RGB") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, colour).save(path)
    return path


@pytest.fixture
def bundle(site):
    picture(site / STORY / "chart.jpg", (1200, 800))
    picture(site / STORY / "figures/map.png", (640, 480), (0, 0, 200, 128), mode="RGBA")
    write(site / STORY / "data.csv", "year,value\n2024,1\n")
    write(site / STORY / "index.md", briefing(
        "Story", image="chart.jpg", image_alt="A red bar chart",
        body="First paragraph.\n\n![A red bar chart](chart.jpg)\n\nThe [figures](data.csv) and a map:\n\n"
             "![Map of the region](figures/map.png)\n"))
    return site


def build(site, *args):
    result = run_sitegen("build", "--no-search", "--site", site, *args)
    assert result.returncode == 0, result.stderr
    return result


def test_files_beside_a_briefing_are_published_at_the_matching_place(bundle):
    build(bundle)
    public = bundle / "public/briefings/2024/05/story"
    assert (public / "chart.jpg").read_bytes() == (bundle / STORY / "chart.jpg").read_bytes()
    assert (public / "figures/map.png").is_file() and (public / "data.csv").read_text().startswith("year")
    html = (bundle / "public" / PAGE).read_text()
    assert 'href="/briefings/2024/05/story/data.csv"' in html


def test_images_get_sizes_lazy_loading_after_the_first_and_webp_variants(bundle):
    build(bundle)
    html = (bundle / "public" / PAGE).read_text()
    images = re.findall(r"<img [^>]*>", html.split('<div class="body">')[1])
    assert len(images) == 2
    assert 'width="1200" height="800"' in images[0] and "loading" not in images[0]
    assert 'width="640" height="480"' in images[1] and 'loading="lazy"' in images[1]
    srcset = re.search(r'<source type="image/webp" srcset="([^"]+)"', html).group(1)
    assert srcset == ("/briefings/2024/05/story/chart.jpg.480w.webp 480w, /briefings/2024/05/story/chart.jpg.960w.webp "
                      "960w, /briefings/2024/05/story/chart.jpg.1200w.webp 1200w")
    for width in (480, 960, 1200):
        with Image.open(bundle / f"public/briefings/2024/05/story/chart.jpg.{width}w.webp") as variant:
            assert variant.format == "WEBP" and variant.size == (width, width * 2 // 3)
    with Image.open(bundle / "public/briefings/2024/05/story/figures/map.png.480w.webp") as variant:
        assert variant.mode == "RGBA"


def test_image_front_matter_is_the_card_og_image_and_json_ld_image(bundle):
    result = build(bundle)
    assert "image_alt" not in result.stderr
    html = (bundle / "public" / PAGE).read_text()
    assert '<meta property="og:image" content="https://example.org/briefings/2024/05/story/chart.jpg">' in html
    assert '<meta property="og:image:alt" content="A red bar chart">' in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["image"] == ["https://example.org/briefings/2024/05/story/chart.jpg"]
    home = (bundle / "public/index.html").read_text()
    card = re.search(r'<img class="card-image"[^>]*>', home).group()
    assert 'src="/briefings/2024/05/story/chart.jpg.480w.webp"' in card and 'alt="A red bar chart"' in card
    assert 'width="1200" height="800"' in card


def test_without_image_front_matter_the_first_image_is_the_picture(site):
    picture(site / STORY / "photo.jpg", (800, 600))
    write(site / STORY / "index.md", briefing("Story", body="Text.\n\n![Crowd in the square](photo.jpg)\n"))
    build(site)
    assert 'alt="Crowd in the square"' in re.search(r'<img class="card-image"[^>]*>',
                                                    (site / "public/index.html").read_text()).group()


def test_a_picture_without_alt_text_is_a_clear_warning(site):
    picture(site / STORY / "photo.jpg", (800, 600))
    write(site / STORY / "index.md", briefing("Story", image="photo.jpg"))
    write(site / "content/briefings/b/index.md", briefing("B", body="![](../2024/05/story/photo.jpg)\n"))
    result = build(site)
    assert f"{STORY}/index.md:4: `image` has no `image_alt`" in result.stderr
    assert "content/briefings/b/index.md: the first image (photo.jpg) has no alt text" in result.stderr
    assert "![what it shows](file.jpg)" in result.stderr


def test_a_missing_file_is_an_error_naming_the_markdown_file_and_line(site):
    write(site / STORY / "index.md", briefing("Story", body="Intro.\n\n![Chart](chart.png)\n\nSee the\n[report](report.pdf).\n"))
    write(site / "content/briefings/other.md", briefing("Other", image="nope.jpg", image_alt="x"))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1
    assert f"{STORY}/index.md:8: image chart.png not found" in result.stderr
    assert f"put chart.png in {STORY}/ beside the Markdown file" in result.stderr
    assert f"{STORY}/index.md:11: linked file report.pdf not found" in result.stderr
    assert "content/briefings/other.md:4: image nope.jpg not found" in result.stderr
    assert not (site / "public").exists()


def test_a_reference_leading_outside_content_is_refused(site, tmp_path):
    picture(site / "secret.png", (10, 10))
    write(site / "content/briefings/a.md", briefing("A", body="![x](../../secret.png)\n"))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1 and "leads outside content/" in result.stderr


def test_links_to_pages_and_other_sites_are_left_alone(site):
    write(site / "content/briefings/a.md", briefing("A", body="[older](../2023/) [home](/) [x](https://example.org/a.png)"))
    build(site)
    html = (site / "public/briefings/2024/05/a/index.html").read_text()
    assert 'href="../2023/"' in html and 'href="https://example.org/a.png"' in html


def test_a_link_to_another_markdown_file_leads_to_its_page_and_follows_it(site):
    """As in the author's editor: [text](../x.md) opens that briefing; a renamed slug moves the link too."""
    write(site / "content/briefings/2024/a.md", briefing("Alpha", body="See [beta](../beta/index.md#facts), "
                                                         "[the page](/pages/about.md) and [gone](gone.md)."))
    write(site / "content/briefings/beta/index.md", briefing("Beta", date="2024-06-02", body="## Facts\n\nText."))
    write(site / "content/pages/about.md", "---\ntitle: About us\n---\n\nWho we are.\n")
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1 and "content/briefings/2024/a.md:6: linked file gone.md not found" in result.stderr
    write(site / "content/briefings/2024/a.md", briefing("Alpha", body="See [beta](../beta/index.md#facts) "
                                                         "and [the page](/pages/about.md)."))
    build(site)
    html = (site / "public/briefings/2024/05/alpha/index.html").read_text()
    assert 'href="/briefings/2024/06/beta/#facts"' in html and 'href="/about-us/"' in html
    write(site / "content/briefings/beta/index.md", briefing("Beta", date="2024-06-02", slug="beta-moved",
                                                             body="## Facts\n\nText."))
    build(site)
    html = (site / "public/briefings/2024/05/alpha/index.html").read_text()
    assert 'href="/briefings/2024/06/beta-moved/#facts"' in html
    assert run_sitegen("check", "--site", site).returncode == 0


def test_a_warm_build_makes_no_variant_and_a_changed_image_is_remade(bundle):
    build(bundle)
    cache = bundle / ".sitegen/images"
    before = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.webp")}
    assert len(before) == 5  # chart at 480, 960, 1200; map at 480, 640
    published = bundle / "public/briefings/2024/05/story"
    inodes = {name: (published / name).stat().st_ino for name in ("chart.jpg", "chart.jpg.480w.webp")}
    write(bundle / STORY / "index.md", (bundle / STORY / "index.md").read_text() + "\nOne more line.\n")
    build(bundle)
    assert {name: (published / name).stat().st_ino for name in inodes} == inodes  # linked, not copied again
    assert {p.name: p.stat().st_mtime_ns for p in cache.glob("*.webp")} == before
    picture(bundle / STORY / "chart.jpg", (1000, 500))
    build(bundle)
    html = (bundle / "public" / PAGE).read_text()
    assert 'width="1000" height="500"' in html and 'width="1200"' not in html.split('<div class="body">')[1]
    old_chart = next(name.split("-")[0] for name in before if name.endswith("-1200.webp"))
    after = {p.name for p in cache.glob("*.webp")}
    assert len(after) == 5 and not any(name.startswith(old_chart) for name in after)  # replaced, not piled up


def test_the_built_site_with_bundles_passes_check(bundle):
    build(bundle)
    result = run_sitegen("check", "--site", bundle)
    assert result.returncode == 0, result.stderr


def test_in_chromium_every_image_loads_with_alt_text_and_webp_is_chosen(bundle, browser, static_server):
    build(bundle)
    base = static_server(bundle / "public")
    page = browser.new_page()
    try:
        for path in ("/briefings/2024/05/story/", "/"):
            page.goto(base + path)
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            page.wait_for_function("[...document.images].every(i => i.complete)", timeout=10_000)
            images = page.evaluate("[...document.images].map(i => ({alt: i.getAttribute('alt'), w: i.naturalWidth, "
                                   "src: i.currentSrc, lazy: i.loading}))")
            assert images, path
            for image in images:
                assert image["w"] > 0, f"broken image on {path}: {image}"
                assert image["alt"] is not None
        body_images = page.goto(base + "/briefings/2024/05/story/") and page.evaluate(
            "[...document.querySelectorAll('.body img')].map(i => [i.currentSrc, i.loading])")
        page.wait_for_function("[...document.images].every(i => i.complete)", timeout=10_000)
        assert body_images[0][0].endswith(".webp") and body_images[0][1] == "auto"
        assert body_images[1][1] == "lazy"
    finally:
        page.close()


def test_a_hostile_image_url_stays_text_and_a_script_url_is_refused(site):
    write(site / "content/briefings/a.md", briefing("A", image='"https://example.org/a.jpg\\"><script>alert(1)</script>"',
                                                     image_alt='"x\\" onerror=\\"alert(1)"'))
    build(site)
    for path in (site / "public").rglob("*.html"):
        text = path.read_text()
        assert "<script>alert(1)" not in text and '" onerror="' not in text, path
    write(site / "content/briefings/a.md", briefing("A", image="javascript:alert(1)", image_alt="x"))
    result = run_sitegen("build", "--no-search", "--site", site)
    assert result.returncode == 1 and "content/briefings/a.md:4: `image` javascript:alert(1) is not a file" in result.stderr
