from __future__ import annotations

import contextlib
import hashlib
import http.server
import io
import logging
import platform
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from basebuild import lay_out_mirror, release_name

from pot import download, release
from pot.errors import PotError
from pot.release import Machine
from pot.settings import DEFAULTS, Settings

AMD64 = Machine("amd64", "amd64")
PAYLOAD = bytes(range(256)) * 1024  # 256 KiB: several chunks
NO_MANIFEST = "No manifests found - please install the package freebsd-release-manifests"
MISMATCH = "sha256 doesn't match! Aborting"


@pytest.fixture(autouse=True)
def amd64(monkeypatch: pytest.MonkeyPatch) -> None:
    """No sysctl in unit tests: the host is amd64/amd64."""
    monkeypatch.setattr(release, "host_machine", lambda: AMD64)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def messages() -> Iterator[Records]:
    """Records of pot.release (own handler: the CLI edge may stop propagation to root)."""
    logger = logging.getLogger("pot.release")
    handler = Records()
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)


def errors(handler: Records) -> list[str]:
    return [r.getMessage() for r in handler.records if r.levelno >= logging.ERROR]


def _payload(dest: Path) -> int:
    """The mirror's base.txz: bytes enough for several download chunks."""
    dest.write_bytes(PAYLOAD)
    return 103


class Env:
    """A cache and a file:// mirror (with its manifests folder) holding one release."""

    def __init__(self, root: Path, name: str = "14.1") -> None:
        self.cache = root / "cache"
        self.cache.mkdir()
        mirror = lay_out_mirror(root, "amd64", "amd64", name, _payload)
        self.manifests = mirror.manifests
        self.mirror = mirror.folder
        self.source = mirror.tarball
        self.manifest = self.manifests / f"amd64-amd64-{release_name(name)}"
        values = dict(DEFAULTS)
        values.update(
            POT_CACHE=str(self.cache),
            POT_MANIFESTS_DIR=str(self.manifests),
            POT_FREEBSD_MIRROR=self.mirror.as_uri(),
        )
        self.settings = Settings(root / "etc", values)

    def cache_files(self) -> list[str]:
        return sorted(p.name for p in self.cache.iterdir())


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return Env(tmp_path)


# --- names, manifests, release list -------------------------------------------------


def test_release_name_appends_release_unless_rc() -> None:
    assert release.release_name("13.2") == "13.2-RELEASE"
    assert release.release_name("14.0-RC1") == "14.0-RC1"
    assert release.release_name("14.0-BETA1") == "14.0-BETA1-RELEASE"


def test_paths_and_url(env: Env) -> None:
    s = env.settings.with_values(POT_FREEBSD_MIRROR="https://example.org/releases/")
    assert release.cached_tarball(s, "14.1") == env.cache / "14.1-RELEASE_base.txz"
    assert release.cached_tarball(s, "14.0-RC2") == env.cache / "14.0-RC2_base.txz"
    assert release.manifest_path(s, "14.0-RC2", Machine("arm64", "aarch64")) == (
        env.manifests / "arm64-aarch64-14.0-RC2"
    )
    assert release.tarball_url(s, "14.1", Machine("arm64", "aarch64")) == (
        "https://example.org/releases/arm64/aarch64/14.1-RELEASE/base.txz"
    )
    assert release.tarball_url(Settings(), "13.2", AMD64) == (
        "https://ftp.freebsd.org/pub/FreeBSD/releases/amd64/amd64/13.2-RELEASE/base.txz"
    )


def test_versions_sort_as_sort_v() -> None:
    names = ["12.0", "10.0", "10.4", "11.0", "9.1", "9.0", "10.1", "11.1", "9.2", "10.10"]
    assert sorted(names, key=release.version_key) == [
        "9.0", "9.1", "9.2", "10.0", "10.1", "10.4", "10.10", "11.0", "11.1", "12.0",
    ]  # fmt: skip
    rcs = ["14.0-RELEASE", "14.0-RC1", "13.2-RELEASE", "14.0-RC10", "14.0-RC2", "14.0-BETA3"]
    assert sorted(rcs, key=release.version_key) == [
        "13.2-RELEASE", "14.0-BETA3", "14.0-RC1", "14.0-RC2", "14.0-RC10", "14.0-RELEASE",
    ]  # fmt: skip
    assert release.version_compare("1.0~rc1", "1.0") < 0
    assert release.version_compare("01.2", "1.2") != 0  # equal versions: text order decides


def test_valid_releases_like_upstream_common7(tmp_path: Path) -> None:
    """The list of upstream's own test, plus names that must not be picked up."""
    folder = tmp_path / "MANIFESTS"
    folder.mkdir()
    for rel in ("12.0", "10.0", "10.4", "11.0", "9.1", "9.0", "10.1", "11.1", "9.2", "10.3"):
        (folder / f"amd64-amd64-{rel}-RELEASE").write_text("")
    for rel in ("11.2", "10.2", "9.3"):
        (folder / f"amd64-amd64-{rel}-RELEASE").write_text("")
    (folder / "i386-i386-13.0-RELEASE").write_text("")
    (folder / "arm64-aarch64-14.0-RELEASE").write_text("")
    (folder / "amd64-amd64-15.0-RELEASE.d").mkdir()  # not a file
    s = Settings(tmp_path, {**DEFAULTS, "POT_MANIFESTS_DIR": str(folder)})
    assert " ".join(release.valid_releases(s)) == (
        "9.0 9.1 9.2 9.3 10.0 10.1 10.2 10.3 10.4 11.0 11.1 11.2 12.0"
    )
    assert release.valid_releases(s, Machine("arm64", "aarch64")) == ("14.0",)


def test_valid_releases_keep_rc_suffix(tmp_path: Path) -> None:
    for name in ("amd64-amd64-14.0-RELEASE", "amd64-amd64-14.0-RC1", "amd64-amd64-13.2-RELEASE"):
        (tmp_path / name).write_text("")
    s = Settings(tmp_path, {**DEFAULTS, "POT_MANIFESTS_DIR": str(tmp_path)})
    assert release.valid_releases(s) == ("13.2", "14.0-RC1", "14.0")
    assert release.is_valid_release(s, "14.0-RC1")
    assert release.is_valid_release(s, "13.2")
    assert not release.is_valid_release(s, "14.0-RELEASE")
    assert not release.is_valid_release(s, "")
    assert not release.is_valid_release(s, "13")


def test_no_manifests_folder_means_no_release(tmp_path: Path) -> None:
    s = Settings(tmp_path, {**DEFAULTS, "POT_MANIFESTS_DIR": str(tmp_path / "missing")})
    assert release.valid_releases(s) == ()


def test_expected_sha256_reads_the_base_txz_line(env: Env, tmp_path: Path) -> None:
    assert release.expected_sha256(env.manifest) == hashlib.sha256(PAYLOAD).hexdigest()
    assert release.expected_sha256(tmp_path / "absent") is None
    other = tmp_path / "other"
    other.write_text('kernel.txz\tabc\t1\tkernel\t"Kernel"\ton\n')
    assert release.expected_sha256(other) == ""
    twice = tmp_path / "twice"
    twice.write_text("base.txz aaa 1\nbase.txz bbb 2\nbase.txz\n")
    assert release.expected_sha256(twice) == "aaa\nbbb\n"


def test_platform_machine_maps_linux_names(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, expected in (
        ("x86_64", AMD64),
        ("aarch64", Machine("arm64", "aarch64")),
        ("i686", Machine("i386", "i386")),
        ("sparc", Machine("sparc", "sparc")),
    ):
        monkeypatch.setattr(platform, "machine", lambda n=name: n)
        assert release.platform_machine() == expected


# --- fetch_base ------------------------------------------------------------------------


def test_download_verifies_and_lands_under_the_final_name(env: Env, messages: Records) -> None:
    seen: list[tuple[int, int | None]] = []
    path = release.fetch_base(env.settings, "14.1", progress=lambda d, t: seen.append((d, t)))
    assert path == env.cache / "14.1-RELEASE_base.txz"
    assert path.read_bytes() == PAYLOAD
    assert env.cache_files() == ["14.1-RELEASE_base.txz"]
    assert seen[-1] == (len(PAYLOAD), len(PAYLOAD))
    # one report when the transfer opens, then one per chunk copied
    assert seen[0] == (0, len(PAYLOAD))
    assert len(seen) == 1 + -(-len(PAYLOAD) // download._CHUNK)
    assert errors(messages) == []


def test_rc_release_keeps_its_name(tmp_path: Path) -> None:
    env = Env(tmp_path, "14.0-RC1")
    path = release.fetch_base(env.settings, "14.0-RC1")
    assert path == env.cache / "14.0-RC1_base.txz"
    assert path.read_bytes() == PAYLOAD


def test_good_cached_tarball_is_reused_without_download(env: Env, messages: Records) -> None:
    cached = env.cache / "14.1-RELEASE_base.txz"
    cached.write_bytes(PAYLOAD)
    env.source.unlink()  # a download would fail
    assert release.fetch_base(env.settings, "14.1") == cached
    assert cached.read_bytes() == PAYLOAD
    assert errors(messages) == []


def test_bad_cached_tarball_is_deleted_and_downloaded_again(env: Env, messages: Records) -> None:
    cached = env.cache / "14.1-RELEASE_base.txz"
    cached.write_bytes(b"stale")
    assert release.fetch_base(env.settings, "14.1") == cached
    assert cached.read_bytes() == PAYLOAD
    assert errors(messages) == [MISMATCH]
    assert env.cache_files() == ["14.1-RELEASE_base.txz"]


def test_sha_mismatch_retries_once_then_fails(env: Env, messages: Records) -> None:
    env.source.write_bytes(PAYLOAD + b"tampered")
    with pytest.raises(PotError) as exc:
        release.fetch_base(env.settings, "14.1")
    assert str(exc.value) == "fetch of 14.1 RELEASE failed"
    assert errors(messages) == [MISMATCH, MISMATCH]
    assert env.cache_files() == []


def test_missing_manifest_fails_without_downloading(env: Env, messages: Records) -> None:
    env.manifest.unlink()
    with pytest.raises(PotError, match=r"^fetch of 14.1 RELEASE failed$"):
        release.fetch_base(env.settings, "14.1")
    assert errors(messages) == [NO_MANIFEST, NO_MANIFEST]
    assert env.cache_files() == []


def test_missing_tarball_on_the_mirror(env: Env, messages: Records) -> None:
    env.source.unlink()
    with pytest.raises(PotError, match=r"^fetch of 14.1 RELEASE failed$"):
        release.fetch_base(env.settings, "14.1")
    reason = f"{env.source.as_uri()}: No such file or directory"
    assert errors(messages) == [reason, reason]
    assert env.cache_files() == []


def test_missing_cache_folder(env: Env, messages: Records) -> None:
    env.cache.rmdir()
    with pytest.raises(PotError, match=r"^fetch of 14.1 RELEASE failed$"):
        release.fetch_base(env.settings, "14.1")
    assert errors(messages) == [f"{env.cache}: No such file or directory"] * 2
    assert not env.cache.exists()


def test_unsupported_scheme(env: Env, messages: Records) -> None:
    s = env.settings.with_values(POT_FREEBSD_MIRROR="gopher://example.org")
    with pytest.raises(PotError):
        release.fetch_base(s, "14.1")
    url = "gopher://example.org/amd64/amd64/14.1-RELEASE/base.txz"
    assert errors(messages) == [f"{url}: unsupported URL scheme 'gopher'"] * 2


class _Breaking(io.RawIOBase):
    """A source that gives one chunk, then fails like a dropped connection."""

    def __init__(self) -> None:
        self.calls = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        if self.calls > 1:
            raise ConnectionResetError(104, "Connection reset by peer")
        return PAYLOAD[:size]


def _sources(monkeypatch: pytest.MonkeyPatch, *makers: object) -> list[int]:
    """Replace the URL opener: the n-th attempt gets makers[n] (a reader or 'real')."""
    real = download._open_source
    opened: list[int] = []

    @contextlib.contextmanager
    def fake(url: str) -> Iterator[tuple[object, int | None]]:
        maker = makers[len(opened)]
        opened.append(1)
        if maker == "real":
            with real(url) as pair:
                yield pair
        else:
            yield maker, len(PAYLOAD)

    monkeypatch.setattr(download, "_open_source", fake)
    return opened


def test_broken_download_leaves_nothing_and_is_retried_once(
    env: Env, messages: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = _sources(monkeypatch, _Breaking(), _Breaking())
    with pytest.raises(PotError, match=r"^fetch of 14.1 RELEASE failed$"):
        release.fetch_base(env.settings, "14.1")
    assert len(opened) == 2
    assert errors(messages) == [f"{env.source.as_uri()}: Connection reset by peer"] * 2
    assert env.cache_files() == []


def test_second_attempt_can_succeed(
    env: Env, messages: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = _sources(monkeypatch, _Breaking(), "real")
    path = release.fetch_base(env.settings, "14.1")
    assert len(opened) == 2
    assert path.read_bytes() == PAYLOAD
    assert env.cache_files() == ["14.1-RELEASE_base.txz"]


def test_short_download_is_an_error(
    env: Env, messages: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sources(monkeypatch, io.BytesIO(PAYLOAD[:1000]), io.BytesIO(PAYLOAD[:1000]))
    with pytest.raises(PotError):
        release.fetch_base(env.settings, "14.1")
    short = f"{env.source.as_uri()}: short read: 1000 of {len(PAYLOAD)} bytes"
    assert errors(messages) == [short, short]
    assert env.cache_files() == []


@pytest.mark.parametrize("signal", [KeyboardInterrupt, SystemExit])
def test_interrupted_download_leaves_no_file(env: Env, signal: type[BaseException]) -> None:
    def interrupt(done: int, total: int | None) -> None:
        if done > 1 << 17:
            raise signal()

    with pytest.raises(signal):
        release.fetch_base(env.settings, "14.1", progress=interrupt)
    assert env.cache_files() == []


# --- http ---------------------------------------------------------------------------


@pytest.fixture
def http_mirror(env: Env) -> Iterator[str]:
    """The mirror folder served on 127.0.0.1 (a local socket; no network)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(env.mirror), **kwargs)  # type: ignore[arg-type]

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_http_download(env: Env, http_mirror: str, messages: Records) -> None:
    s = env.settings.with_values(POT_FREEBSD_MIRROR=http_mirror)
    seen: list[tuple[int, int | None]] = []
    path = release.fetch_base(s, "14.1", progress=lambda d, t: seen.append((d, t)))
    assert path.read_bytes() == PAYLOAD
    assert seen[-1] == (len(PAYLOAD), len(PAYLOAD))
    assert errors(messages) == []


def test_http_not_found(env: Env, http_mirror: str, messages: Records) -> None:
    env.source.unlink()
    s = env.settings.with_values(POT_FREEBSD_MIRROR=http_mirror)
    with pytest.raises(PotError, match=r"^fetch of 14.1 RELEASE failed$"):
        release.fetch_base(s, "14.1")
    url = f"{http_mirror}amd64/amd64/14.1-RELEASE/base.txz"
    assert errors(messages) == [f"{url}: 404 File not found"] * 2
    assert env.cache_files() == []


# ---------------------------------------------------------------- extraction


def test_extract_unpacks_into_root(tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "etc").mkdir(parents=True)
    (source / "etc" / "rc.conf").write_text("from the release\n")
    tarball = tmp_path / "base.txz"
    with tarfile.open(tarball, "w:xz") as tar:
        tar.add(source / "etc", "etc")
    root = tmp_path / "root"
    root.mkdir()
    release.extract(tarball, root, "create")
    assert (root / "etc" / "rc.conf").read_text() == "from the release\n"


def test_extract_failure_names_the_tarball(tmp_path: Path) -> None:
    tarball = tmp_path / "14.1_base.txz"
    tarball.write_bytes(b"not a tarball")
    with pytest.raises(PotError) as failed:
        release.extract(tarball, tmp_path, "create-base")
    assert failed.value.lines[0].startswith("tar failed (exit status 2)")
    assert failed.value.lines[1:] == (f"create-base: extracting {tarball} failed",)
