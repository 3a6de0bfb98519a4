"""etc/install.sh: the files it installs, idempotence, the venv steps (with a fake
interpreter: no network, no build), and what it refuses."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from installed import INSTALL_SH, REPO, SYSTEM_PATH, install

# a fake interpreter: `-m venv --system-site-packages DIR` makes DIR/bin/python (itself);
# `-m pip ...` logs its argv and the staged source folder, and makes bin/pot next to it;
# install.sh's own steps after pip (the entry script, compileall) log a line each
FAKE_PYTHON = """\
#!/bin/sh
case "$1 $2 $3" in
"-I -c "*json*)
	echo "entry $4 $5" >> "$FAKE_LOG"
	printf '#!/bin/sh\\n' > "$4"
	exit 0
	;;
"-I -c "*sysconfig*) echo /venv/purelib /venv/platlib; exit 0 ;;
"-I -c "*) echo /the/package; exit 0 ;;
"-I -m compileall") echo "$*" >> "$FAKE_LOG"; exit 0 ;;
esac
echo "$*" >> "$FAKE_LOG"
case "$1 $2" in
"-m venv")
	mkdir -p "$4/bin"
	cp "$0" "$4/bin/python"
	;;
"-m pip")
	for last in "$@"; do :; done
	(cd "$last" && ls) >> "$FAKE_LOG"
	printf '#!/bin/sh\\n' > "$(dirname "$0")/pot"
	chmod 755 "$(dirname "$0")/pot"
	;;
*) exit 1 ;;
esac
"""

FLAVOURS = sorted(p.name for p in (REPO / "flavours").iterdir())


def _tree(prefix: Path) -> dict[str, int]:
    """Every file under prefix with its mode."""
    return {
        str(p.relative_to(prefix)): p.stat().st_mode & 0o777
        for p in sorted(prefix.rglob("*"))
        if p.is_file()
    }


def _expected_tree() -> dict[str, int]:
    tree = {
        "bin/pot": 0o755,
        "etc/pot/pot.conf": 0o644,
        "etc/pot/pot.conf.sample": 0o644,
        "etc/pot/pot.default.conf": 0o644,
        "etc/rc.d/pot": 0o755,
        "etc/rc.d/pot_early": 0o755,
    }
    for name in FLAVOURS:
        tree[f"etc/pot/flavours/{name}"] = 0o755 if name.endswith(".sh") else 0o644
    return dict(sorted(tree.items()))


def test_installs_launcher_configuration_flavours_and_boot_scripts(tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    done = install(prefix, "/bin/true")
    assert done.stdout == f"pot installed under {prefix} (Python program: /bin/true)\n"
    assert _tree(prefix) == _expected_tree()
    etc = prefix / "etc" / "pot"
    sample = (REPO / "etc" / "pot" / "pot.conf.sample").read_bytes()
    assert (etc / "pot.conf.sample").read_bytes() == sample
    assert (etc / "pot.conf").read_bytes() == sample
    default = (REPO / "etc" / "pot" / "pot.default.conf").read_bytes()
    assert (etc / "pot.default.conf").read_bytes() == default
    for name in FLAVOURS:
        assert (etc / "flavours" / name).read_bytes() == (REPO / "flavours" / name).read_bytes()
    # nothing left behind by the substitutions
    assert not [p for p in prefix.rglob("*") if ".new." in p.name or ".subst." in p.name]


def test_a_second_run_keeps_the_users_files(tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    install(prefix, "/bin/true")
    etc = prefix / "etc" / "pot"
    (etc / "pot.conf").write_text("POT_ZFS_ROOT=tank/pot\n")
    (etc / "flavours" / "slim.sh").write_text("# mine\n")
    (etc / "flavours" / "dns").unlink()
    (etc / "flavours" / "own").write_text("pkg install -y nginx\n")
    (etc / "pot.conf.sample").write_text("old\n")
    install(prefix, "/bin/true")
    assert (etc / "pot.conf").read_text() == "POT_ZFS_ROOT=tank/pot\n"
    assert (etc / "flavours" / "slim.sh").read_text() == "# mine\n"
    assert (etc / "flavours" / "own").read_text() == "pkg install -y nginx\n"
    # missing shipped files come back, samples are refreshed
    assert (etc / "flavours" / "dns").read_bytes() == (REPO / "flavours" / "dns").read_bytes()
    sample = (REPO / "etc" / "pot" / "pot.conf.sample").read_bytes()
    assert (etc / "pot.conf.sample").read_bytes() == sample
    assert _tree(prefix) == {**_expected_tree(), "etc/pot/flavours/own": 0o644}


def test_the_launcher_is_replaced_by_a_new_file(tmp_path: Path) -> None:
    # a running `pot start` is a sh reading bin/pot: it must keep its (old) file
    prefix = tmp_path / "prefix"
    install(prefix, "/bin/true")
    before = (prefix / "bin" / "pot").stat().st_ino
    install(prefix, "/bin/false")
    launcher = prefix / "bin" / "pot"
    assert launcher.stat().st_ino != before
    assert "POT_PY='/bin/false'\n" in launcher.read_text()


def _venv_install(tmp_path: Path, **env: str) -> tuple[Path, list[str]]:
    python = tmp_path / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    log = tmp_path / "fake.log"
    log.unlink(missing_ok=True)
    stage = tmp_path / "stage"
    stage.mkdir(exist_ok=True)
    environ = {k: v for k, v in os.environ.items() if k != "POT_PY"}
    environ |= {"PATH": SYSTEM_PATH, "PYTHON": str(python), "FAKE_LOG": str(log)}
    environ |= {"TMPDIR": str(stage), **env}
    prefix = tmp_path / "prefix"
    done = subprocess.run(
        ["sh", str(INSTALL_SH), str(prefix)],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert list(stage.iterdir()) == []  # the staged copy of the source is removed
    calls = log.read_text().splitlines()
    # the completion scripts are asked of the venv's Python last (the fake one refuses)
    assert calls[-2:] == ["-m pot.cli.completion zsh", "-m pot.cli.completion bash"]
    assert "no zsh completion" in done.stderr
    return prefix, calls[:-2]


def test_completion_scripts_from_the_programs_python(tmp_path: Path) -> None:
    pot_py = REPO / ".venv" / "bin" / "pot"
    if not pot_py.exists():
        pytest.skip("no .venv/bin/pot in the repository")
    prefix = tmp_path / "prefix"
    install(prefix, pot_py)
    zsh = prefix / "share" / "zsh" / "site-functions" / "_pot"
    bash = prefix / "share" / "bash-completion" / "completions" / "pot"
    assert zsh.read_text().startswith("#compdef pot\n")
    assert "complete -F _pot pot\n" in bash.read_text()
    assert (zsh.stat().st_mode & 0o777, bash.stat().st_mode & 0o777) == (0o644, 0o644)
    assert subprocess.run(["bash", "-n", str(bash)], check=False).returncode == 0


PIP = "-m pip install --quiet --disable-pip-version-check"
# the build's files (setup.py etc. when the tree has them), not tests or benchmarks
_BUILD_FILES = ("MANIFEST.in", "LICENSE", "README.md", "pot", "pyproject.toml", "setup.cfg")
STAGED = sorted(name for name in (*_BUILD_FILES, "setup.py") if (REPO / name).exists())


def test_without_pot_py_a_venv_is_made_once_and_the_package_installed(tmp_path: Path) -> None:
    prefix, calls = _venv_install(tmp_path)
    venv = prefix / "libexec" / "pot"
    assert calls[0] == f"-m venv --system-site-packages {venv}"
    assert calls[1].startswith(f"{PIP} {tmp_path}/stage/pot-install.")
    assert calls[2:] == [*STAGED, *_entry_steps(venv)]
    assert f"POT_PY='{venv}/bin/pot'\n" in (prefix / "bin" / "pot").read_text()
    _, calls = _venv_install(tmp_path)
    assert calls[0].startswith(f"{PIP} --force-reinstall --no-deps {tmp_path}/stage/")
    assert calls[1:] == [*STAGED, *_entry_steps(venv)]


def _entry_steps(venv: Path) -> list[str]:
    """After pip: pip's bin/pot replaced by the `python -IS` entry, everything pip put in
    the venv compiled (the folders the venv's sysconfig names).
    """
    return [
        f"entry {venv}/bin/pot {venv}/bin/python",
        "-I -m compileall -q /venv/purelib /venv/platlib",
    ]


def test_the_compiled_folders_are_the_venvs_site_packages(tmp_path: Path) -> None:
    # the real interpreter: what install.sh asks sysconfig for is where pip installs
    venv = tmp_path / "venv"
    subprocess.run(["python3", "-m", "venv", "--without-pip", str(venv)], check=True)
    code = INSTALL_SH.read_text().split("'import sysconfig;", 1)[1].split("'", 1)[0]
    python = str(venv / "bin" / "python")
    printed = subprocess.run(
        [python, "-I", "-c", "import sysconfig;" + code],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    site = _venv_site(python)
    assert site in printed
    assert all(Path(folder).is_relative_to(venv) for folder in printed)


def test_the_entry_script_starts_python_without_site(tmp_path: Path) -> None:
    # the real interpreter: the script runs -IS and finds the package where site would
    prefix = tmp_path / "prefix"
    venv = prefix / "libexec" / "pot"
    subprocess.run(["python3", "-m", "venv", "--without-pip", str(venv)], check=True)
    target = venv / "bin" / "pot"
    code = _entry_py()
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-I", "-c", code, str(target), python], check=True)
    lines = target.read_text().splitlines()
    assert lines[0] == f"#!{python} -IS"
    assert lines[-2:] == ["from pot.cli.edge import main", "main()"]
    site = _venv_site(python)
    assert repr(site) in lines[-3]


def _venv_site(python: str) -> str:
    """The site-packages folder of the venv whose interpreter is ``python``."""
    return subprocess.run(
        [python, "-I", "-c", "import site; print(site.getsitepackages()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def _entry_py() -> str:
    """install.sh's ENTRY_PY, as the shell hands it to Python."""
    text: str = INSTALL_SH.read_text()
    return text.split("ENTRY_PY='", 1)[1].split("\n'\n", 1)[0]


def test_offline_uses_no_index_and_no_build_isolation(tmp_path: Path) -> None:
    _, calls = _venv_install(tmp_path, POT_OFFLINE="1")
    assert calls[1].startswith(f"{PIP} --no-index --no-build-isolation {tmp_path}/stage/")


@pytest.mark.parametrize(
    ("pot_py", "message"),
    [
        ("bin/pot", "POT_PY must be an absolute path: bin/pot"),
        ("/nonexistent/pot", "/nonexistent/pot is not an executable"),
        ("/tmp/it's", "a quote or blank in /tmp/it's or"),
    ],
)
def test_refuses_a_bad_entry_point(tmp_path: Path, pot_py: str, message: str) -> None:
    if "'" in pot_py:
        Path(pot_py).write_text("")
        Path(pot_py).chmod(0o755)
    try:
        done = subprocess.run(
            ["sh", str(INSTALL_SH), str(tmp_path / "prefix")],
            env={**os.environ, "PATH": SYSTEM_PATH, "POT_PY": pot_py},
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        if "'" in pot_py:
            Path(pot_py).unlink()
    assert done.returncode == 1
    assert message in done.stderr
    assert not (tmp_path / "prefix" / "bin" / "pot").exists()


def test_usage(tmp_path: Path) -> None:
    for args in (["-h"], ["a", "b"]):
        done = subprocess.run(
            ["sh", str(INSTALL_SH), *args], capture_output=True, text=True, check=False
        )
        assert (done.returncode, done.stderr) == (2, f"usage: {INSTALL_SH} [PREFIX]\n")
