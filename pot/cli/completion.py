"""zsh and bash completion for pot, generated from the command table.

``python -m pot.cli.completion zsh`` (or ``bash``) prints the script; etc/install.sh
installs them as ``PREFIX/share/zsh/site-functions/_pot`` and
``PREFIX/share/bash-completion/completions/pot``. Commands, aliases and option letters
come from the command table (pot.cli.main) and each command's click parameters, their
descriptions from the usage and help texts; the values of an option are looked up when
completing, with pot itself: pots (``pot ls -q``), running pots (``pot ps -q``), bases,
fscomps, flavours, bridges (``pot ls -q[bfFB]``), a pot's snapshots (``pot info -s``),
the releases (create-base's help), attribute names and each attribute's values.
"""

from __future__ import annotations

import re
import sys

import click

from pot import potconf
from pot.cli import helptext
from pot.cli.main import ALIASES, COMMANDS, cli
from pot.record import record

# dynamic kinds: the pot command that lists them
DYNAMIC = {
    "pots": "pot ls -q",
    "running": "pot ps -q",
    "bases": "pot ls -qb",
    "fscomps": "pot ls -qf",
    "flavours": "pot ls -qF",
    "bridges": "pot ls -qB",
}
# fixed kinds: their words
_BOOL_WORDS = ("YES", "NO")
STATIC: dict[str, tuple[str, ...]] = {
    "attributes": tuple(a.name for a in potconf.ATTRIBUTES if not a.readonly),
    "network-types": ("inherit", "alias", "public-bridge", "private-bridge"),
    "stacks": ("ipv4", "ipv6", "dual"),
    "pot-types": ("single", "multi"),
    "levels": ("0", "1", "2"),
    "compression": tuple(str(n) for n in range(10)),
    "dns": ("inherit", "pot", "off", "custom:"),
    "statuses": ("starting", "doa", "started", "stopping", "stopped"),
    "config": (
        "fs_root",
        "zfs_root",
        "gateway",
        "syslogd",
        "pot_prefix",
        "fscomp_prefix",
        "network_stack",
    ),
    "signals": (
        "SIGINFO",
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGKILL",
        "SIGTERM",
        "SIGUSR1",
        "SIGUSR2",
    ),
}
# kinds whose values the script computes otherwise
SPECIAL = ("snapshots", "releases", "attribute-values", "files", "dirs")

# an option's kind from the word naming its value in the help text
_BY_METAVAR = {
    "pname": "pots",
    "pot": "pots",
    "potname": "pots",
    "oldname": "pots",
    "depPot": "pots",
    "fscomp": "fscomps",
    "flavour": "flavours",
    "bridge-name": "bridges",
    "bname": "bridges",
    "base": "bases",
    "basename": "bases",
    "attribute": "attributes",
    "value": "attribute-values",
    "network-type": "network-types",
    "network-type:": "network-types",
    "network-stack": "stacks",
    "lvl": "levels",
    "level": "compression",
    "dns": "dns",
    "RELEASE": "releases",
    "type:": "pot-types",
    "source": "files",
    "dest": "files",
    "dir": "dirs",
    "pf_file": "files",
    "hook": "files",
    "pubkey": "files",
    "signal": "signals",
    "status": "statuses",
    "snapshot": "snapshots",
    "name": "config",
}
# where the help's word misleads: new names (nothing to offer) and the odd ones out
_OVERRIDES = {
    ("create", "-p"): "",
    ("clone", "-p"): "",
    ("import", "-p"): "",
    ("prepare", "-p"): "",
    ("create-fscomp", "-f"): "",
    ("clone-fscomp", "-f"): "",
    ("create-base", "-b"): "",
    ("create-private-bridge", "-B"): "",
    ("create-private-bridge", "-S"): "",
    ("rename", "-n"): "",
    ("prepare", "-n"): "",
    ("create", "-l"): "levels",
    ("export", "-l"): "compression",
    ("init", "-p"): "files",
    ("init", "-f"): "files",
    ("de-init", "-p"): "files",
    ("info", "-B"): "bridges",
    ("destroy", "-b"): "bases",
    ("destroy", "-f"): "fscomps",
    ("mount-in", "-f"): "fscomps",
    ("snapshot", "-f"): "fscomps",
    ("revert", "-f"): "fscomps",
    ("purge-snapshots", "-f"): "fscomps",
    ("clone-fscomp", "-F"): "fscomps",
    ("export", "-D"): "dirs",
    ("export", "-S"): "files",
    ("get-attribute", "-V"): "",
    ("vnet-start", "-B"): "bridges",
}
# options given more than once on purpose (the others: the last one wins)
_REPEATED = {("create", "-f"), ("clone", "-f"), ("create", "-i")}
_REPEATED_LETTERS = frozenset({"-e", "-E", "-H"})
# what the operand of a command is
_OPERANDS = {"start": "pots", "stop": "running", "term": "pots", "run": "pots"}
_HELP_LINE = re.compile(r"^\s+(-[A-Za-z])(?: (\S+))?\s*(?::\s*)?(.*)$")
_USAGE_LINE = re.compile(r"^    (\S+)\s+-- (.*)$")


@record
class Option:
    letter: str
    takes_value: bool
    repeated: bool
    description: str
    value: str  # the help's word for its value ("" for a flag)
    kind: str  # "" = any word


@record
class Command:
    name: str
    description: str
    options: tuple[Option, ...]
    operand: str  # the kind of its operand, "" when it takes none


def _descriptions() -> dict[str, str]:
    """Command (and alias) -> its line in the usage text."""
    found: dict[str, str] = {}
    for line in helptext.USAGE.splitlines():
        match = _USAGE_LINE.match(line)
        if match:
            for name in match.group(1).split("/"):
                found.setdefault(name, match.group(2))
    return found


def _help_lines(name: str) -> dict[str, tuple[str, str]]:
    """Option letter -> (its line's first word, the rest) from the help text."""
    known = name in helptext.HELP or name in ("set-attribute", "get-attribute")
    text = helptext.command_help(name) if known else ""
    found: dict[str, tuple[str, str]] = {}
    for line in text.splitlines():
        match = _HELP_LINE.match(line)
        if match and match.group(1) not in found:
            word, rest = match.group(2) or "", match.group(3)
            found[match.group(1)] = (word, rest)
    return found


def _kind(command: str, letter: str, word: str) -> str:
    if (command, letter) in _OVERRIDES:
        return _OVERRIDES[(command, letter)]
    return _BY_METAVAR.get(word, "")


def _options(name: str, command: click.Command) -> tuple[Option, ...]:
    helps = _help_lines(name)
    options = []
    for param in command.params:
        if not isinstance(param, click.Option):
            continue
        takes_value = not (param.is_flag or param.count)
        for letter in param.opts:
            word, rest = helps.get(letter, ("", ""))
            # a flag's line has no value word: its first word starts the description
            description = (rest or word) if takes_value else f"{word} {rest}".strip()
            repeated = (name, letter) in _REPEATED or letter in _REPEATED_LETTERS
            kind = _kind(name, letter, word) if takes_value else ""
            value = (word.rstrip(":") or "value") if takes_value else ""
            options.append(Option(letter, takes_value, repeated, description, value, kind))
    return tuple(options)


def table() -> tuple[Command, ...]:
    """Every command and alias with its options, in the usage's order."""
    descriptions = _descriptions()
    commands = [Command("help", descriptions.get("help", ""), (), "commands")]
    for name in COMMANDS:
        click_command = cli.get_command(None, name)
        assert click_command is not None
        options = _options(name, click_command)
        operand = _OPERANDS.get(name, "")
        names = [name, *(alias for alias, target in ALIASES.items() if target == name)]
        if name == "term":
            names.append("run")
        for shown in names:
            kind = _OPERANDS.get(shown, operand)
            text = descriptions.get(shown) or descriptions.get(name, "")
            commands.append(Command(shown, text, options, kind))
    return tuple(commands)


# --------------------------------------------------------------------------- zsh


def _zq(text: str) -> str:
    """Text inside a single-quoted zsh word, with _arguments' brackets and colons escaped."""
    return text.replace("'", "'\\''").replace("[", "\\[").replace("]", "\\]").replace(":", "\\:")


def _zsh_spec(option: Option) -> str:
    star = "*" if option.repeated else ""
    head = f"{star}{option.letter}[{_zq(option.description or option.letter)}]"
    if not option.takes_value:
        return f"'{head}'"
    action = f"{{_pot_values {option.kind}}}" if option.kind else " "
    return f"'{head}:{_zq(option.value)}:{action}'"


def _zsh_case(command: Command) -> list[str]:
    specs = [_zsh_spec(o) for o in command.options]
    if command.operand:
        specs.append(f"'*:{command.operand}:{{_pot_values {command.operand}}}'")
    lines = [f"\t\t{command.name})", "\t\t\t_arguments -s -S \\"]
    lines += [f"\t\t\t\t{spec} \\" for spec in specs]
    lines[-1] = lines[-1].removesuffix(" \\")
    if not specs:
        lines[-1] = "\t\t\t_message 'no options'"
    lines.append("\t\t\t;;")
    return lines


_ZSH_HEAD = """\
#compdef pot
# Generated by `python -m pot.cli.completion zsh` from pot's command table.

_pot_values() {
	local -a values
	local kind=$1 pot i
	case $kind in
%(dynamic)s
%(static)s
		snapshots)
			for (( i = CURRENT - 1; i > 1; i-- )); do
				if [[ $words[i] == -P || $words[i] == -p ]]; then pot=$words[i+1]; break; fi
			done
			[[ -n $pot ]] && values=(${(f)"$(_call_program snapshots \
				pot info -s -p ${(q)pot} 2>/dev/null)"})
			;;
		releases)
			# the per-line list of create-base's help: "     + 14.1"
			values=(${(f)"$(_call_program releases pot create-base -h 2>/dev/null)"})
			values=(${${(M)values:#*+ *}##*+ })
			;;
		attribute-values)
			for (( i = CURRENT - 1; i > 1; i-- )); do
				if [[ $words[i] == -A ]]; then values=(${=_pot_attr_values[$words[i+1]]}); break; fi
			done
			;;
		files) _files; return ;;
		dirs) _files -/; return ;;
		commands) values=(${_pot_commands%%%%:*}) ;;
	esac
	compadd -a values
}

typeset -gA _pot_attr_values
_pot_attr_values=(
%(attr_values)s
)

typeset -ga _pot_commands
_pot_commands=(
%(commands)s
)

_pot() {
	local curcontext=$curcontext state line
	_arguments -C '1: :->command' '*:: :->option'
	case $state in
	command)
		_describe -t commands 'pot command' _pot_commands
		;;
	option)
		curcontext=${curcontext%%:*:*}:pot-$words[1]:
		case $words[1] in
"""

_ZSH_TAIL = """\
		esac
		;;
	esac
}

_pot "$@"
"""


def zsh_script(commands: tuple[Command, ...]) -> str:
    dynamic = "\n".join(
        f'\t\t{kind}) values=(${{(f)"$(_call_program {kind} {argv} 2>/dev/null)"}}) ;;'
        for kind, argv in DYNAMIC.items()
    )
    static = "\n".join(
        f"\t\t{kind}) values=({' '.join(words)}) ;;" for kind, words in STATIC.items()
    )
    attr_values = "\n".join(
        f"\t{name} '{' '.join(words)}'" for name, words in attribute_values().items()
    )
    listed = "\n".join(f"\t'{_zq(c.name)}:{_zq(c.description)}'" for c in commands)
    head = _ZSH_HEAD % {
        "dynamic": dynamic,
        "static": static,
        "attr_values": attr_values,
        "commands": listed,
    }
    body = [line for command in commands for line in _zsh_case(command)]
    return head + "\n".join(body) + "\n" + _ZSH_TAIL


def attribute_values() -> dict[str, tuple[str, ...]]:
    """The words each settable attribute takes (none listed for numbers and strings)."""
    words: dict[str, tuple[str, ...]] = {}
    for spec in potconf.ATTRIBUTES:
        if spec.readonly:
            continue
        if spec.type == "bool":
            words[spec.name] = _BOOL_WORDS
        elif spec.type == "sysvopt":
            words[spec.name] = ("new", "inherit", "disable")
    return words


# --------------------------------------------------------------------------- bash

_BASH_HEAD = """\
# bash completion for pot
# Generated by `python -m pot.cli.completion bash` from pot's command table.

_pot_values() {
	local kind=$1 i
	case $kind in
%(dynamic)s
%(static)s
		snapshots)
			for (( i = COMP_CWORD - 1; i > 1; i-- )); do
				if [[ ${COMP_WORDS[i]} == -P || ${COMP_WORDS[i]} == -p ]]; then
					pot info -s -p "${COMP_WORDS[i+1]}" 2>/dev/null
					return
				fi
			done
			;;
		releases)
			pot create-base -h 2>/dev/null | sed -n 's/^ *+ //p'
			;;
		attribute-values)
			for (( i = COMP_CWORD - 1; i > 1; i-- )); do
				if [[ ${COMP_WORDS[i]} == -A ]]; then
					case ${COMP_WORDS[i+1]} in
%(attr_values)s
					esac
					return
				fi
			done
			;;
		commands) echo %(commands)s ;;
	esac
}

_pot() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmd=${COMP_WORDS[1]} options='' valued='' kind='' operand=''
	COMPREPLY=()
	if (( COMP_CWORD == 1 )); then
		COMPREPLY=($(compgen -W "$(_pot_values commands)" -- "$cur"))
		return
	fi
	case $cmd in
"""

_BASH_TAIL = """\
	esac
	if [[ " $valued " == *" $prev "* ]]; then
		kind=$(_pot_option_kind "$cmd" "$prev")
		case $kind in
			files) COMPREPLY=($(compgen -f -- "$cur")) ;;
			dirs) COMPREPLY=($(compgen -d -- "$cur")) ;;
			'') ;;
			*) COMPREPLY=($(compgen -W "$(_pot_values "$kind")" -- "$cur")) ;;
		esac
		return
	fi
	if [[ $cur == -* || -z $operand ]]; then
		COMPREPLY=($(compgen -W "$options" -- "$cur"))
	else
		COMPREPLY=($(compgen -W "$(_pot_values "$operand")" -- "$cur"))
	fi
}

complete -F _pot pot
"""


def _bash_case(command: Command) -> list[str]:
    options = " ".join(o.letter for o in command.options)
    valued = " ".join(o.letter for o in command.options if o.takes_value)
    return [
        f"\t\t{command.name})",
        f"\t\t\toptions='{options}' valued='{valued}' operand='{command.operand}' ;;",
    ]


def _bash_kinds(commands: tuple[Command, ...]) -> str:
    lines = ["_pot_option_kind() {", '\tcase "$1 $2" in']
    for command in commands:
        for option in command.options:
            if option.takes_value and option.kind:
                lines.append(f"\t\t'{command.name} {option.letter}') echo {option.kind} ;;")
    lines += ["\tesac", "}", ""]
    return "\n".join(lines)


def bash_script(commands: tuple[Command, ...]) -> str:
    dynamic = "\n".join(f"\t\t{kind}) {argv} 2>/dev/null ;;" for kind, argv in DYNAMIC.items())
    static = "\n".join(f"\t\t{kind}) echo {' '.join(words)} ;;" for kind, words in STATIC.items())
    attr_values = "\n".join(
        f"\t\t\t\t\t\t{name}) echo {' '.join(words)} ;;"
        for name, words in attribute_values().items()
    )
    head = _BASH_HEAD % {
        "dynamic": dynamic,
        "static": static,
        "attr_values": attr_values,
        "commands": " ".join(c.name for c in commands),
    }
    body = [line for command in commands for line in _bash_case(command)]
    return _bash_kinds(commands) + head + "\n".join(body) + "\n" + _BASH_TAIL


def main(argv: list[str]) -> int:
    shells = {"zsh": zsh_script, "bash": bash_script}
    if len(argv) != 1 or argv[0] not in shells:
        sys.stderr.write("usage: python -m pot.cli.completion zsh|bash\n")
        return 2
    sys.stdout.write(shells[argv[0]](table()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
