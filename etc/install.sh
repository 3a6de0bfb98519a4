#!/bin/sh
#
# etc/install.sh [PREFIX]: install pot under PREFIX (default /usr/local). Idempotent.
#
#   PREFIX/libexec/pot/                 a virtualenv holding this package (the Python program)
#   PREFIX/bin/pot                      the sh launcher (etc/launcher/pot), mode 755
#   PREFIX/etc/pot/pot.conf.sample      and pot.default.conf (replaced on every run)
#   PREFIX/etc/pot/pot.conf             only when missing, from the sample (all comments)
#   PREFIX/etc/pot/flavours/            the shipped flavours that are missing there
#   PREFIX/etc/rc.d/pot, pot_early      the boot scripts, mode 755
#   PREFIX/share/zsh/site-functions/_pot            zsh completion, and
#   PREFIX/share/bash-completion/completions/pot    bash completion, both generated
#                                       from the command table by the program's Python
#
# Why a virtualenv and not `pip install --prefix`: on FreeBSD PREFIX/lib/python3.x is
# the site-packages of pkg(8)'s Python, and pip would overwrite or shadow the files of
# packages such as py311-click; the venv keeps ours apart. It is made with
# --system-site-packages, so that dependencies already installed for that Python (pkg
# install py311-click py311-cryptography ...) are used as they are and pip downloads
# only what is missing.
#
# Environment:
#   PYTHON=python3.11   the interpreter of the venv (default: python3.11, else python3)
#   POT_OFFLINE=1       no package index and no build isolation: every dependency, and
#                       setuptools and wheel for the build, must be installed already
#   POT_PY=/path/pot    no venv: the launcher runs this existing entry point instead
#                       (for instance the pot script of a development .venv)

set -eu

usage()
{
	echo "usage: $0 [PREFIX]" >&2
	exit 2
}

[ $# -le 1 ] || usage
case "${1:-}" in
-*) usage ;;
esac

SRC=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=${1:-/usr/local}
mkdir -p "$PREFIX"
PREFIX=$(cd "$PREFIX" && pwd)
VENV=$PREFIX/libexec/pot

# _put mode source target: replace target by a new file (a new inode: a launcher or rc
# script being read by a running sh is not rewritten under it)
_put()
{
	cp "$2" "$3.new.$$"
	chmod "$1" "$3.new.$$"
	mv -f "$3.new.$$" "$3"
}

# _subst placeholder value source target: copy source with placeholder replaced
_subst()
{
	local _value
	_value=$(printf '%s\n' "$2" | sed 's/[&|\\]/\\&/g')
	sed "s|$1|$_value|g" "$3" > "$4.subst.$$"
	_put 755 "$4.subst.$$" "$4"
	rm -f "$4.subst.$$"
}

_python()
{
	if [ -n "${PYTHON:-}" ]; then
		echo "$PYTHON"
	elif command -v python3.11 >/dev/null 2>&1; then
		echo python3.11
	else
		echo python3
	fi
}

# _venv: make or update the venv; its entry point on stdout
_venv()
{
	local _stage _opts
	if [ ! -x "$VENV/bin/python" ]; then
		"$(_python)" -m venv --system-site-packages "$VENV" >&2
	fi
	_opts=
	if [ -n "${POT_OFFLINE:-}" ]; then
		_opts="--no-index --no-build-isolation"
	fi
	# build from a copy: pip builds a local folder in place (build/, *.egg-info) and
	# the source tree may be read-only or shared
	_stage=$(mktemp -d "${TMPDIR:-/tmp}/pot-install.XXXXXX")
	cp -R "$SRC/pyproject.toml" "$SRC/README.md" "$SRC/pot" "$_stage/"
	for _file in setup.py setup.cfg MANIFEST.in LICENSE; do
		if [ -e "$SRC/$_file" ]; then
			cp "$SRC/$_file" "$_stage/"
		fi
	done
	# --force-reinstall --no-deps after the first run: the same version is installed
	# again from the current tree, the dependencies stay as they are
	if [ -x "$VENV/bin/pot" ]; then
		_opts="$_opts --force-reinstall --no-deps"
	fi
	# shellcheck disable=SC2086 # _opts is a list of options
	"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $_opts "$_stage" >&2 ||
		{ rm -rf "$_stage"; return 1; }
	rm -rf "$_stage"
	_entry "$VENV/bin/pot"
	echo "$VENV/bin/pot"
}

# _entry path: replace pip's console script by one that starts Python cheaply.
#
# Nomad runs `pot get-rss` for every task every second, so start-up is most of a call.
# The script runs `python -IS`: -I ignores PYTHON* variables, the user's site and the
# current folder; -S skips site, whose .pth files can import whole packages at every
# start. The folders site would add (the venv's and, with --system-site-packages, the
# interpreter's site-packages, and those .pth files name) are written into the script
# now. The bytecode of everything in the venv (pot and the dependencies pip put there,
# click among them) is compiled now too: pip leaves it out when PYTHONDONTWRITEBYTECODE
# is set, and then every module would be compiled again at every call (click alone
# costs 30 ms more). The interpreter's own site-packages belong to pkg(8), which ships
# them compiled.
_entry()
{
	"$VENV/bin/python" -I -c "$ENTRY_PY" "$1" "$VENV/bin/python" >&2
	# shellcheck disable=SC2046 # one word per folder (a PREFIX with a blank is refused)
	"$VENV/bin/python" -I -m compileall -q $("$VENV/bin/python" -I -c \
		'import sysconfig; p = sysconfig.get_paths(); print(*sorted({p["purelib"], p["platlib"]}))') >&2
}

ENTRY_PY='
import json, os, subprocess, sys
target, python = sys.argv[1:]
bare = subprocess.run([python, "-IS", "-c", "import json, sys; print(json.dumps(sys.path))"],
                      check=True, capture_output=True, text=True).stdout
extra = [p for p in sys.path if p and p not in json.loads(bare)]
with open(target + ".new", "w") as f:
    f.write(f"#!{python} -IS\n"
            "# etc/install.sh: the folders site would add, without running site\n"
            "import sys\n"
            f"sys.path += {extra!r}\n"
            "from pot.cli.edge import main\n"
            "main()\n")
os.chmod(target + ".new", 0o755)
os.replace(target + ".new", target)
'

if [ -n "${POT_PY:-}" ]; then
	pot_py=$POT_PY
else
	pot_py=$(_venv)
fi
case "$pot_py" in
/*) ;;
*) echo "$0: POT_PY must be an absolute path: $pot_py" >&2; exit 1 ;;
esac
if [ ! -x "$pot_py" ]; then
	echo "$0: $pot_py is not an executable" >&2
	exit 1
fi

mkdir -p "$PREFIX/bin" "$PREFIX/etc/pot/flavours" "$PREFIX/etc/rc.d"

# the launcher holds the paths between single quotes, and POT_ETC unquoted
case "$pot_py$PREFIX" in
*"'"* | *[[:space:]]*) echo "$0: a quote or blank in $pot_py or $PREFIX" >&2; exit 1 ;;
esac
_subst "@POT_PY@" "'$pot_py'" "$SRC/etc/launcher/pot" "$PREFIX/bin/pot.tmpl.$$"
_subst "@POT_ETC@" "$PREFIX/etc/pot" "$PREFIX/bin/pot.tmpl.$$" "$PREFIX/bin/pot"
rm -f "$PREFIX/bin/pot.tmpl.$$"

_put 644 "$SRC/etc/pot/pot.conf.sample" "$PREFIX/etc/pot/pot.conf.sample"
_put 644 "$SRC/etc/pot/pot.default.conf" "$PREFIX/etc/pot/pot.default.conf"
if [ ! -e "$PREFIX/etc/pot/pot.conf" ]; then
	_put 644 "$SRC/etc/pot/pot.conf.sample" "$PREFIX/etc/pot/pot.conf"
fi

for _flavour in "$SRC"/flavours/*; do
	_target=$PREFIX/etc/pot/flavours/$(basename "$_flavour")
	[ -e "$_target" ] && continue
	case "$_flavour" in
	*.sh) _put 755 "$_flavour" "$_target" ;;
	*) _put 644 "$_flavour" "$_target" ;;
	esac
done

for _script in pot pot_early; do
	_subst "%%PREFIX%%" "$PREFIX" "$SRC/etc/rc.d/$_script" "$PREFIX/etc/rc.d/$_script"
done

# _completion shell target: the completion script, made by the Python next to the
# program (the venv's); none without that Python (a POT_PY that is not in a venv)
_completion()
{
	local _python
	_python=$(dirname "$pot_py")/python
	if [ ! -x "$_python" ]; then
		return 0
	fi
	mkdir -p "$(dirname "$2")"
	if "$_python" -m pot.cli.completion "$1" > "$2.gen.$$"; then
		_put 644 "$2.gen.$$" "$2"
	else
		echo "$0: no $1 completion: $_python -m pot.cli.completion $1 failed" >&2
	fi
	rm -f "$2.gen.$$"
}
_completion zsh "$PREFIX/share/zsh/site-functions/_pot"
_completion bash "$PREFIX/share/bash-completion/completions/pot"

echo "pot installed under $PREFIX (Python program: $pot_py)"
