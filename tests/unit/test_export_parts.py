"""export removes the hidden part files a killed export of the same image left, and
nothing else."""

from __future__ import annotations

from pathlib import Path

from pot.ops.export import remove_stale_parts


def test_only_this_images_parts_go(tmp_path: Path) -> None:
    ours = [
        ".web_1.0.xz.0123abcd.part",
        ".web_1.0.xz.meta.89abcdef.part",
        ".web_1.0.xz.skein.00000000.part",
        ".web_1.0.xz.skein.sig.ffffffff.part",
    ]
    others = [
        ".web_1.0.xz.part",
        ".web_1.0.xz.0123abcd.part.keep",
        ".web_1.00.xz.0123abcd.part",
        ".other_1.0.xz.0123abcd.part",
        "web_1.0.xz",
        ".web_1.0.xz.meta.XYZ.part",
    ]
    for name in ours + others:
        (tmp_path / name).write_text("x\n")
    remove_stale_parts(tmp_path, "web_1.0.xz")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(others)


def test_a_missing_folder_is_left_to_the_export(tmp_path: Path) -> None:
    remove_stale_parts(tmp_path / "missing", "web_1.0.xz")
