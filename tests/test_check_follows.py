"""`sitegen check` follows every way a page asks for another URL (issue 12 item 7), and `search: false`."""

from __future__ import annotations

from pathlib import Path

from sitegen.check import check_output, css_urls

from .helpers import briefing, run_sitegen, write


def page(body: str = "", head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>T</title>{head}</head><body>{body}</body></html>"


def messages(folder: Path) -> list[str]:
    return [f"{p.path}: {p.message}" for p in check_output(folder, "/").problems]


def test_a_form_action_to_a_missing_page_is_a_broken_link(tmp_path):
    write(tmp_path / "index.html", page('<form action="/search/"><input name="q"></form>'))
    assert messages(tmp_path) == [f"{tmp_path.name}/index.html: broken link to /search/"]
    write(tmp_path / "search/index.html", page())
    assert messages(tmp_path) == []


def test_srcset_and_source_elements_are_followed(tmp_path):
    write(tmp_path / "index.html", page('<picture><source type="image/webp" srcset="a-320.webp 320w, a-640.webp 640w">'
                                        '<source src="clip.mp4"><img src="a.png" alt="a"></picture>'))
    write(tmp_path / "a.png", "png")
    write(tmp_path / "a-320.webp", "webp")
    assert messages(tmp_path) == [f"{tmp_path.name}/index.html: missing asset /a-640.webp",
                                  f"{tmp_path.name}/index.html: missing asset /clip.mp4"]


def test_css_urls_in_files_style_elements_and_attributes_are_followed(tmp_path):
    write(tmp_path / "index.html", page('<div style="background: url(\'/img/bg.png\')">x</div>',
                                        head='<link rel="stylesheet" href="/css/site.css">'
                                             '<style>body { background: url(/missing-in-style.png) }</style>'))
    write(tmp_path / "css/site.css", '@import "extra.css";\n/* url(commented-out.png) */\n'
                                     '.a { background: url("../fonts/gone.woff2") }\n'
                                     '.b { background: url(data:image/png;base64,AAAA) }\n')
    write(tmp_path / "css/extra.css", ".c { background: url(here.png) }")
    write(tmp_path / "css/here.png", "png")
    found = messages(tmp_path)
    assert found == [f"{tmp_path.name}/css/site.css: missing asset /fonts/gone.woff2",
                     f"{tmp_path.name}/index.html: missing asset /img/bg.png",
                     f"{tmp_path.name}/index.html: missing asset /missing-in-style.png"]


def test_css_url_forms():
    assert css_urls("a{b:url( x.png )} c{d:url('y z.png')} @import 'i.css'; e{f:URL(\"q.png\")} g{h:url(#svg)}") == [
        "x.png", "y z.png", "i.css", "q.png"]


def test_search_false_leaves_no_form_or_link_to_the_unbuilt_search_page(site):
    write(site / "site.yml", (site / "site.yml").read_text() + "search: false\n")
    write(site / "content/briefings/a.md", briefing("A", tags="[Syria]"))
    assert run_sitegen("build", "--site", site).returncode == 0
    public = site / "public"
    assert not (public / "search").exists()
    for path in public.rglob("*.html"):
        text = path.read_text()
        assert "/search/" not in text and "<form" not in text, path
    result = run_sitegen("check", "--site", site)
    assert result.returncode == 0, result.stderr


def test_with_search_the_header_form_leads_to_the_search_page(site):
    write(site / "content/briefings/a.md", briefing("A"))
    assert run_sitegen("build", "--no-search", "--site", site).returncode == 0
    assert 'action="/search/"' in (site / "public/index.html").read_text()
    assert run_sitegen("check", "--site", site).returncode == 0
