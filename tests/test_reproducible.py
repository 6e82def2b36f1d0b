"""Cold, warm and one-edit builds write the same bytes: an incremental build is only ever a faster clean one."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .archive import generate
from .helpers import run_sitegen


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with a hash of its bytes."""
    return {path.relative_to(folder).as_posix(): hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def build(root: Path, *args: str | Path) -> None:
    result = run_sitegen("build", "--site", root, "--no-search", *args, timeout=600)
    assert result.returncode == 0, result.stderr


def clean_build(root: Path, out: Path) -> dict[str, str]:
    build(root, "--clean", "--out", out)
    return snapshot(out)


def differences(actual: dict[str, str], expected: dict[str, str]) -> list[str]:
    return sorted(k for k in actual.keys() | expected.keys() if actual.get(k) != expected.get(k))


def test_cold_warm_and_one_edit_builds_write_the_same_bytes(tmp_path):
    root = tmp_path / "site"
    generate(root, count=400)
    public = root / "public"
    build(root)
    cold = snapshot(public)
    mtimes = {p: p.stat().st_mtime_ns for p in public.rglob("*") if p.is_file()}

    build(root)
    assert differences(snapshot(public), cold) == []
    assert {p: p.stat().st_mtime_ns for p in public.rglob("*") if p.is_file()} == mtimes, "a warm build rewrote files"

    edited = root / "content/briefings/briefing-123.md"
    original = edited.read_text()
    edited.write_text(original + "\nA sentence added after publication, with a [link](https://example.org/x).\n")
    build(root)
    one_edit = snapshot(public)
    assert differences(one_edit, clean_build(root, tmp_path / "clean-edited")) == []
    changed = differences(one_edit, cold)
    assert any("briefing-123" in name for name in changed) and len(changed) < 40, changed

    retitled = root / "content/briefings/briefing-200.md"
    retitled.write_text(retitled.read_text().replace('title: "Briefing 200:', 'title: "Renamed briefing 200:'))
    build(root)
    assert differences(snapshot(public), clean_build(root, tmp_path / "clean-retitled")) == []

    edited.write_text(original)
    retitled.write_text(retitled.read_text().replace('title: "Renamed briefing 200:', 'title: "Briefing 200:'))
    build(root)
    assert differences(snapshot(public), cold) == []
