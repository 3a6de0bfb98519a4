"""OpenBSD signify's key and signature files, with Ed25519 from ``cryptography``.

A signify file is two lines: ``untrusted comment: ...`` and the base64 of a packed
record that starts with the algorithm ``Ed`` and the 8-byte key number:

* public key: ``Ed`` keynum[8] pubkey[32]
* secret key: ``Ed`` ``BK`` kdfrounds[4, big endian] salt[16] checksum[8] keynum[8]
  seckey[64] (seed + public key, XORed with a bcrypt_pbkdf stream when rounds > 0;
  checksum = first 8 bytes of SHA-512 of the plain seckey)
* signature: ``Ed`` keynum[8] sig[64] (Ed25519 over the whole message file)

Keys without passphrase are used natively; a passphrase-protected key is handed to the
``signify`` command, which asks for the passphrase on the terminal.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from pathlib import Path

from pot import log as logging
from pot import proc
from pot.errors import ImageError
from pot.record import record

log = logging.getLogger(__name__)

COMMENT = "untrusted comment: "
PKALG = b"Ed"
KDFALG = b"BK"
# upstream calls signify; Debian installs OpenBSD's as signify-openbsd, and its package
# "signify" is an unrelated .signature generator, so the specific name comes first
COMMANDS = ("signify-openbsd", "signify")
_MAX_FILE = 2048  # signify reads at most this much of a key or signature file

_PUB_LEN = 2 + 8 + 32
_SEC_LEN = 2 + 2 + 4 + 16 + 8 + 8 + 64
_SIG_LEN = 2 + 8 + 64


@record
class PublicKey:
    keynum: bytes
    key: bytes


@record
class SecretKey:
    kdfrounds: int
    keynum: bytes
    checksum: bytes
    seckey: bytes  # still encrypted when kdfrounds > 0


@record
class Signature:
    keynum: bytes
    sig: bytes


def _decode(text: bytes, size: int, what: str) -> bytes:
    """The record of a signify file, checked as signify checks it."""
    head, sep, rest = text.partition(b"\n")
    if not sep or len(head) <= len(COMMENT) or not head.startswith(COMMENT.encode()):
        raise ImageError(f"invalid {what}: must start with '{COMMENT}'")
    b64, sep, _ = rest.partition(b"\n")
    if not sep:
        raise ImageError(f"invalid {what}: missing new line after base64")
    try:
        raw = base64.b64decode(b64, validate=True)
    except binascii.Error:
        raw = b""
    if len(raw) != size:
        raise ImageError(f"invalid {what}: unable to parse")
    if raw[:2] != PKALG:
        raise ImageError(f"invalid {what}: unsupported algorithm")
    return raw


def _read(path: Path, what: str) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(_MAX_FILE)
    except OSError as exc:
        raise ImageError(f"cannot read {what} {path}: {exc.strerror}") from exc


def _encode(comment: str, raw: bytes) -> bytes:
    return f"{COMMENT}{comment}\n".encode() + base64.b64encode(raw) + b"\n"


def parse_public_key(text: bytes) -> PublicKey:
    raw = _decode(text, _PUB_LEN, "public key")
    return PublicKey(raw[2:10], raw[10:])


def parse_secret_key(text: bytes) -> SecretKey:
    raw = _decode(text, _SEC_LEN, "secret key")
    if raw[2:4] != KDFALG:
        raise ImageError("invalid secret key: unsupported KDF")
    rounds = int.from_bytes(raw[4:8], "big")
    return SecretKey(rounds, raw[32:40], raw[24:32], raw[40:])


def parse_signature(text: bytes) -> Signature:
    raw = _decode(text, _SIG_LEN, "signature")
    return Signature(raw[2:10], raw[10:])


def format_signature(sig: Signature, comment: str) -> bytes:
    return _encode(comment, PKALG + sig.keynum + sig.sig)


def sig_comment(seckey_path: Path) -> str:
    """signify's comment for a signature: ``verify with NAME.pub`` for NAME.sec."""
    name = seckey_path.name
    if len(name) <= 4 or not name.endswith(".sec"):
        # signify refuses such keys too; refusing here keeps both paths alike
        raise ImageError("please use naming scheme of keyname.pub and keyname.sec")
    return f"verify with {name[:-4]}.pub"


def verify(message: bytes, sig_text: bytes, pubkey_text: bytes) -> None:
    """Check a detached signature of message; raise ImageError saying why it fails."""
    pub = parse_public_key(pubkey_text)
    sig = parse_signature(sig_text)
    if pub.keynum != sig.keynum:
        raise ImageError("verification failed: checked against wrong key")
    # imported here: cryptography costs every pot start-up ~15 ms, and most runs never sign
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(pub.key).verify(sig.sig, message)
    except InvalidSignature:
        raise ImageError("signature verification failed") from None


def sign_native(message: bytes, key: SecretKey) -> Signature:
    """Sign with a key that has no passphrase (kdfrounds == 0)."""
    if hashlib.sha512(key.seckey).digest()[:8] != key.checksum:
        raise ImageError("incorrect passphrase")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.from_private_bytes(key.seckey[:32])
    public = private.public_key().public_bytes_raw()
    if public != key.seckey[32:]:
        raise ImageError("invalid secret key: public half does not match")
    return Signature(key.keynum, private.sign(message))


def sign_file(message_path: Path, seckey_path: Path, sig_path: Path) -> None:
    """Write a detached signature of message_path to sig_path, as ``signify -S`` would."""
    comment = sig_comment(seckey_path)
    key = parse_secret_key(_read(seckey_path, "secret key"))
    if key.kdfrounds > 0:
        _sign_with_command(message_path, seckey_path, sig_path)
        return
    sig = sign_native(message_path.read_bytes(), key)
    sig_path.write_bytes(format_signature(sig, comment))


def _sign_with_command(message_path: Path, seckey_path: Path, sig_path: Path) -> None:
    """Let signify ask for the passphrase and sign.

    signify reads the passphrase from the terminal, or from stdin when stdin is not a
    terminal, so it runs with our stdin and stderr as upstream runs it.
    """
    command = next((c for c in COMMANDS if proc.available(c)), None)
    if command is None:
        raise ImageError("Could not find 'signify', try 'pkg install signify'")
    argv = [command, "-S", "-s", str(seckey_path), "-m", str(message_path), "-x", str(sig_path)]
    status = proc.call(argv)
    if status != 0:
        raise ImageError(f"Signing with {command} failed (exit status {status})")


def read_public_key(path: Path) -> bytes:
    return _read(path, "public key")
