"""Upstream's help texts, byte for byte (printed on stdout by -h, help and bad usage)."""

from __future__ import annotations

# annotations only: collections.abc imports the collections package, which every
# command would pay for at start-up
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from pot.settings import Settings


def _attribute_list(*, readonly: bool) -> str:
    """The ``-A`` list of set-attribute (writable ones) and get-attribute (all), sorted as
    upstream's help sorts them (C locale); made when asked for: the attribute table's
    module is not loaded by commands that print no help."""
    from pot.potconf import ATTRIBUTES

    names = sorted(a.name for a in ATTRIBUTES if readonly or not a.readonly)
    return "".join(f"     + {name}\n" for name in names)


USAGE = """\
Usage: pot command [options]

Commands:
    help    -- Show help
    version -- Show version of the pot command
    config  -- Show pot framework configuration
    ls/list -- List of the installed pots
    show    -- Show information on pots
    info    -- Print minimal information on a pot
    top     -- Run top(1) inside the pot
    ps      -- Show running pots
    init    -- Initialize the ZFS layout
    de-init -- Remove pot from your system
    vnet-start -- Start vnet configuration
    create-base -- Create a new base image
    create-fscomp -- Create a new fs component
    create-private-bridge -- Create a new private bridge
    create -- Create a new pot (jail)
    clone -- Clone a pot, creating a new one
    clone-fscomp -- Clone an fscomp
    rename -- Rename a pot
    destroy -- Destroy a pot
    prune   -- Destroy non-running, prunable pots
    copy-in -- Copy a file or a directory into a pot
    copy-out -- Copy a file or a directory out of a pot
    mount-in -- Mount directory, ZFS dataset, or fscomp into a pot
    mount-out -- Unmount directory, ZFS dataset, or fscomp from a pot
    add-dep -- Add a dependency
    set-rss -- Set a resource constraint
    get-rss -- Get the current resource usage
    set-cmd -- Set the command to start the pot
    set-env -- Set environment variables inside a pot
    set-hosts -- Set /etc/hosts entries inside a pot
    set-hook -- Set hook scripts for a pot
    set-attribute/set-attr -- Set an attribute on a pot
    get-attribute/set-attr -- Get an attribute from a pot
    export-ports -- Allows exposing tcp and udp ports
    start -- Start a pot (jail)
    stop -- Stop a pot (jail)
    term -- Open terminal inside of a pot
    run -- Same as term, but start pot if it is not running
    snap/snapshot -- Take a snapshot of a pot
    rollback/revert -- Restore the latest snapshot
    purge-snapshots -- Remove old/all snapshots
    export -- Export a pot to a file
    import -- Import a pot from a file or a URL
    prepare -- Import and prepare a pot, used by orchestrators
    update-config -- Update the configuration of a pot
    last-run-stats -- Get statistics about a pot's last run
    signal -- Send signal to pot
    exec -- Execute a progam inside of a pot
"""

# create-base lists the releases valid on this host (the manifests folder); upstream
# prints them once space-separated (with a trailing space) and once per line, sorted
_CREATE_BASE = """\
pot create-base [-h] [-r RELEASE] [-b basename]
  -h print this help
  -v verbose
  -r RELEASE : supported release are: {inline}
{listed}
  -b basename : optional, (default: the release)
"""


def create_base_help(releases: Sequence[str]) -> str:
    """create-base's help listing ``releases`` (in version order, ``-RELEASE`` dropped)."""
    inline = "".join(f"{release} " for release in releases)
    # upstream pipes the per-line list through sort(1): plain byte order
    listed = "\n".join(sorted(f"     + {release}" for release in releases))
    return _CREATE_BASE.format(inline=inline, listed=listed)


HELP: dict[str, str] = {
    "show": """\
pot show [-hvq] [-a|-r|-p potname]
  -h print this help
  -v verbose
  -q quiet
  -a all pots
  -r all running pots (default)
  -p potname : select pot by name
""",
    "version": """\
pot version [-hvq]
  -h print this help
  -v verbose
  -q quiet
""",
    "config": """\
pot config [-hvq] [-g name]
  -h print this help
  -v verbose
  -q quiet
  -g name : get value of config item "name", one of:
     + fs_root
     + fscomp_prefix
     + gateway
     + network_stack
     + pot_prefix
     + syslogd
     + zfs_root
""",
    "list": """\
pot list [-hpbfFa] [-qv]
  -h print this help
  -v verbose
  -q quiet
  -p list pots (default)
  -b list bases instead of pots
  -f list fs components instead of pots
  -F list available flavours
  -B list available bridges (network type)
  -a list everything (incompatible with -q)
""",
    "info": """\
pot info [-hvqr] [-p pname|-B bname]
  -h print this help
  -v verbose
  -q quiet
  -p pname : pot name
  -B bname : bridge name
  -r check only if the pot is running
  -E output some pot information as environment variables
  -s list the available snapshots for the pot
""",
    "ps": """\
pot ps [-hvq]
  -h print this help
  -v verbose
  -q quiet : only print pot names
""",
    "top": """\
pot top [-h] -p pot
  -h print this help
  -p pot : the working pot
""",
    "init": """\
pot init [-hmsv] [-p pf_file]
  -h print this help
  -m minimal modifications (alias for `-sp ''`)
  -p pf_file : write pot anchors to this file (empty to skip),
               defaults to result of `sysrc -n pf_rules`
  -f pf_file : alias for -p pf_file (deprecated)
  -s do not alter syslogd config
  -v verbose
""",
    "de-init": """\
pot de-init [-hmvf] [-p pf_file]
  -f force : stop all running pots
  -p pf_file : remove anchors to this file (empty to skip),
               defaults to result of `sysrc -n pf_rules`
  -h print this help
  -m minimal modifications (alias for `-p ''`)
     WARNING: Still destroys POT_ZFS_ROOT
  -v verbose
""",
    "vnet-start": """\
pot vnet-start [-hv] [-B bridge-name]
  -h print this help
  -v verbose
  -B bridge-name (optional)
""",
    "create-fscomp": """\
pot create-fscomp [-hv] -f name
  -h print this help
  -v verbose
  -f name : the fs component name (mandatory)
""",
    "create": """\
pot create [-hv] -p potname [-N network-type] [-i ipaddr]
           [-l lvl] [-f flavour] [-b base|-P basepot]
           [-d dns] [-t type]
  -h print this help
  -v verbose
  -k keep the pot, if create fails
  -p potname : the pot name (mandatory)
  -l lvl : pot level (only for type multi)
  -b base : the base pot
  -P pot : the pot to be used as reference
  -d dns : pot dns resolver configuration, one of
           inherit*       - inherit from jailhost (*default)
           pot            - the pot configured in POT_DNS_NAME
           custom:<file>  - copy <file> into pot configuration
           off            - leave resolver config unaltered
  -f flavour : flavour to be used
  -t type: pot file system layout, one of
           single         - the pot is based on a unique ZFS dataset
           multi*         - the pot is composed by a classical
                            collection of 3 ZFS datasets (*default)
  -N network-type: pot network layout, one of
           inherit*       - inherit the host network stack (*default)
           alias          - configure a static ip alias directly on
                            the host's NIC
           public-bridge  - use the common internal public bridge
           private-bridge - use an internal private bridge (with -B)
  -i ipaddr : IP address selection, one of
           auto*          - automatically assign address (*default),
                            only works with (public|private)-bridge
           ipaddr         - mandatory with alias,
                            also works with (public|private)-bridge
  -B bridge-name : the name of the private bridge to be used
  -S network-stack : the network stack (ipv4, ipv6 or dual)
""",
    "create-private-bridge": """\
pot create-private-bridge [-hv] [-B name] [-S size]
  -h print this help
  -v verbose
  -B bridge name
  -S bridge size (number of host expected)
""",
    "copy-in": """\
pot copy-in [-hv] -p pot -s source -d dest
  -h print this help
  -v verbose
  -F force copy operation for running jails
     (WARNING: can expose parts of the host file system)
  -p pot : the working pot
  -s source : the file or directory to be copied in
  -d dest : the final location inside the pot
  -c create any missing path components to `dirname destination`
     inside the pot
""",
    "copy-out": """\
pot copy-out [-hv] -p pot -s source -d dest
  -h print this help
  -v verbose
  -F force copy operation for running jails
     (warning: can expose parts of the host file system)
  -p pot : the working pot
  -s source : the file or directory inside the pot
  -d dest : the location (directory) on the host to copy-out to
""",
    "mount-in": """\
pot mount-in [-hvwr] -p pot -m mnt -f fscomp|-d dir|-z dataset
  -h print this help
  -v verbose
  -p pot : the working pot
  -f fscomp : a fs component to be mounted
  -z zfs dataset : a ZFS dataset to be mounted
  -d dir : a directory on the host to be mounted,
           absolute pathname
  -m mnt : the mount point inside of the pot
  -w : change the ZFS mount point instead of using nullfs,
       potentially DANGEROUS and only usable with -z and -f
  -r : mount-in read-only
""",
    "mount-out": """\
pot mount-out [-hvwr] -p pot -m mnt
  -h print this help
  -v verbose
  -p pot : the working pot
  -m mnt : the mount point inside the pot
""",
    "prune": """\
pot prune [-hvq]
  -h print this help
  -v verbose
  -q quite - prune with no output
  -g grace_period - do not prune pots that just finished executing
  -n dry-run - do not destroy anything
""",
    "set-hook": """\
pot set-hook [-hv] -p pot [-s hook]
  -h print this help
  -v verbose
  -p pot : the working pot
  -s hook : the pre-start hook
  -S hook : the post-start hook
  -t hook : the pre-stop hook
  -T hook : the post-stop hook
""",
    "destroy": """\
pot destroy [-hvFr] [-p potname|-b basename|-f fscomp|-B bridge]
  -h print this help
  -v verbose
  -q quiet
  -F force the stop and destroy
  -p potname : the pot name (mandatory)
  -b basename : the base name (mandatory)
  -f fscomp : the fscomp name (mandatory)
  -B bridge-name : the name of the bridge to be deleted (mandatory)
  -r : destroy recursively all pots based on this base/pot
""",
    "add-dep": """\
pot add-dep [-hv] -p potname -P depPot
  -h print this help
  -v verbose
  -p potname : the working pot
  -P depPot : the pot to depend on. Will be started automatically
              before starting the working pot "potname".
""",
    "set-rss": """\
pot set-rss [-hv] -p pot [-C cpus] [-M memory]
  -h print this help
  -v verbose
  -p pot : the working pot
  -C cpus : the max amount of CPUs
  -M memory : max memory usable (integer values)
""",
    "get-rss": """\
pot get-rss [-h] -p pot
  -h print this help
  -v verbose
  -p pot : the working pot
  -J : output in JSON format
""",
    "set-cmd": """\
pot set-cmd [-hv] -p pot -c cmd
  -h print this help
  -v verbose
  -p pot : the working pot
  -c cmd : the command line to start the container
""",
    "set-env": """\
pot set-env [-hv] -p pot -E env
  -h print this help
  -v verbose
  -p pot : the working pot
  -E var=value : the variable and the value to be added
     this option can be repeated more than once
""",
    "set-hosts": """\
pot set-hosts [-hv] -p pot -H hostname:IP
  -h print this help
  -v verbose
  -p pot : the working pot
  -H hostname:IP : hostname-to-IP resolution to be added
                   to /etc/hosts, can be used multiple times
""",
    "export": """\
pot export [-hv] -p pot [-S seckey] [-t tag] [-D dir] [-l level]
  -h print this help
  -v verbose
  -p pot : the working pot
  -t tag : the tag to be used as suffix in the filename
           if not specified, the snapshot name will be used as suffix
  -c : treat tags as versions and check if they are decreasing
  -D dir : where to store the compressed file with the pot
  -l level : compression level from 0 (fast) to 9 (best).
             Default level 6. (see `man xz` for more information)
  -F : force export of multiple snapshot
       (by default, only one snapshot is allowed)
  -A : auto-fix number of snapshots (only one snapshot is allowed)
  -S : sign with secure key 'seckey' using signify(1)
""",
    "import": """\
pot import [-hv] -p pot -t tag -U URL [-C pubkey]
  -h print this help
  -v verbose
  -p pot : the remote pot name
  -t tag : the tag of the pot
  -U URL : the base URL where to find the image file
  -C pubkey : verify with public key 'pubkey' using signify(1)
""",
    "prepare": """\
pot prepare [-hvS] -p pot -U URL -t tag -a aID -n potname -c cmd
            [-e [proto:]port[:pot_port]] [-N network-type]
            [-i ipaddr] [-B bridge-name] [-C pubkey]
  -h print this help
  -h verbose
  -p pot : the pot image
  -U URL : the base URL where to find the image file
  -t tag : the tag of the pot
  -a aID : the allocation ID
  -n potname : the new potname (used instead of pot_tag)
  -c cmd : the command line to start the container
  -N network-type : new network type of the imported pot
  -i ipaddr : an ip address or the keyword auto (if applicable)
  -e [proto:]port[:pot_port] : port(s) to export
         This option can be repeated to export multiple ports.
         See `pot help export-ports` for details.
  -B bridge-name : the name of the private bridge to be used
  -S network-stack : the network stack (ipv4, ipv6 or dual)
  -d dns : change pot dns resolver configuration, one of
           inherit       - inherit from jailhost
           pot           - the pot configured in POT_DNS_NAME
           custom:<file> - copy <file> into pot configuration
           off           - leave resolver config unaltered
  -s : start the newly generated pot immediately
  -C pubkey : verify with public key 'pubkey' using signify(1)
              on pot import
""",
    "export-ports": """\
pot export-ports configure exported ports - public-bridge only
pot export-ports [-hv] -p pot [-S] -e [proto:]port[:pot_port] ...
  -h print this help
  -v verbose
  -p pot : the working pot
  -e [proto:]port[:pot_port] : port(s) to export
         proto can be tcp (default) or udp
         port is the port to export
         pot_port : a static port to NAT to inside the pot
                    dynamically allocated by default
         This option can be repeated to export multiple ports.

     Examples:
       -e 80            export proto tcp port 80 to a dynamic port
       -e 80:30000      export proto tcp port 80 to pot_port 30000
       -e tcp:80:30000  export proto tcp port 80 to pot_port 30000
       -e udp:53:30053  export proto udp port 53 to pot_port 30053
""",
    "start": """\
pot start [-h] -p potname [pname]
  -h print this help
  -v verbose
  -s take a snapshot before starting the pot
     snapshots are identified by the epoch
     all ZFS datasets under the jail dataset are considered
  -S take a snapshot before starting the pot [DEPRECATED]
     snapshots are identified by the epoch
     all ZFS datasets mounted in rw are considered (full)
  -p potname : the pot to be started

  pname : the pot to be started if "-p potname" not given
""",
    "stop": """\
pot stop [-hv] -p potname | potname
  -h print this help
  -v verbose
  -i interface(s) : network interface (epaira) (INTERNAL USE ONLY)
  -s called from start (INTERNAL USE ONLY)
  -p potname : the pot to be stopped
     the -p can be omitted and the last argument will be interpreted
     as the potname

  The option -i is intended to be used only by internal cleanup
  functions that knows in advance what interface pot is/was using.
  Usually, -i is NOT needed and it SHOULDN'T be used by users
""",
    "term": """\
pot term [-hvf] -p potname [pname]
pot run [-hv] -p potname [pname]
  -h print this help
  -v verbose
  -f : start the pot if it is not running
  -p potname : the pot to open terminal in

  pname : pot to open terminal in if "-p potname" not given
""",
    "rename": """\
pot rename [-hv] -p oldname -n newname
  -h print this help
  -v verbose
  -p oldname : the name of an existing pot to rename
  -n newname : the new name for an existing pot
""",
    "clone": """\
pot clone [-hvF] -p potname -P basepot [-i ipaddr]
  -h print this help
  -v verbose
  -k keep the pot, if clone fails
  -P potname : the pot to be cloned (template)
  -s snapshot : the snapshot to be used to clone
  -p potname : the name of the pot that is created
  -f flavour : flavour to be used
  -N network-type : new network type of the cloned pot
  -i ipaddr : an ip address or the keyword auto (if applicable)
  -B bridge-name : the name of the private bridge to be used
  -S network-stack : the network stack (ipv4, ipv6 or dual)
  -d dns : change pot dns resolver configuration, one of
           inherit       - inherit from jailhost
           pot           - the pot configured in POT_DNS_NAME
           custom:<file> - copy <file> into pot configuration
           off           - leave resolver config unaltered
  -F : automatically take snapshots of dataset that has none
""",
    "clone-fscomp": """\
pot clone-fscomp [-hv] -f fscomp -F fscomp
  -h print this help
  -v verbose
  -F fscomp : the fscomp to be cloned (mandatory)
  -f fscomp : the fscomp name (mandatory)
""",
    "snapshot": """\
pot snapshot [-hv] -p potname|-f fscomp
  -h print this help
  -v verbose
  -r replace the oldest available snapshot with the new one
  -p potname : the pot target of the snapshot
  -f fscomp : the fs component target of the snapshot
""",
    "revert": """\
pot revert [-hv] -p potname|-f fscomp
  -h print this help
  -v verbose
  -p potname : the pot target of the revert
  -f fscomp : the fs component target of the revert
""",
    "purge-snapshots": """\
pot purge-snapshots [-hva] -p potname|-f fscomp
  -h print this help
  -v verbose
  -p potname : the pot target of the purge-snapshots
  -f fscomp : the fs component target of the purge-snapshots
  -a remove all snapshot, including the latest one
""",
    "update-config": """\
pot update-config [-h] -p pot|-a
  -h print this help
  -v verbose
  -p pot : the working pot
  -a : apply to all pots
""",
    "last-run-stats": """\
pot last-run-stats [-hv] [-p pname]
  -h print this help
  -v verbose
  -p pname : pot name
""",
    "signal": """\
pot signal [-hvflC] [-s signal] [-P pid] [-m pattern] -p pot
  -h print this help
  -v verbose
  -C : check/dry-run: show processes that would match
  -f : force - always returns success, even if signalling failed
  -l : list supported signals
  -s signal : the symbolic name of the signal to send to the process,
              defaults to SIGINFO
  -P pid : the pid inside the pot to send the signal to
  -m pattern : A pattern to match
  -p pot : the pot image

  Parameters -P and -m are mutually exclusive. If neither of them is
  is specified and the pot is non-persistent, the signal is delivered
  to the main process of the pot.

  For persistent pots, specifying one of -P and -m is mandatory.
""",
    "exec": """\
pot exec [-hvdt] [-e var=value] [-u username] [-U username]
         -p pot COMMAND
  -h print this help
  -v verbose
  -d detach, run in background
  -t allocate pty
  -e var=value : set environment variable, can be repeated
  -u username: The username from the host environment as whom the
               command should run
  -U username: The username from the pot environment as whom the
               command should run
  -p pot : the pot image

  COMMAND is the command to execute and will be executed in the
  username's $HOME
""",
    "set-status": """\
Internal command, DO NOT USE IF YOU DON'T KNOW WHAT YOU ARE DOING!
This command is meant to be invoked using lockf
pot set-status [-hv] [-p pname] [-s status]
  -h print this help
  -v verbose
  -i interface(s) : network interface (epaira)
  -p pname : pot name
  -s status : the status [starting doa started stopping stopped]
""",
    # upstream dispatches promote but has no implementation of it
    "promote": "pot promote [-h] -- not implemented (upstream pot has no promote either)\n",
    # without a provider (see pot.cli.params.help_text): the text when no release is known
    "create-base": create_base_help(()),
}


# set-attribute's and get-attribute's texts end in the attribute table's names, so
# they are made by command_help (see _attribute_list)
_ATTRIBUTE_HELP = {
    "set-attribute": (
        """\
pot set-attribute [-hv] -p pot -A attr -V value
  -h print this help
  -v verbose
  -p pot : the working pot
  -A attribute : one of
""",
        False,
        """\
  -V value : the new value for "attribute"
""",
    ),
    "get-attribute": (
        """\
pot get-attribute [-hvq] -p pot -A attribute
  -h print this help
  -v verbose
  -q quiet
  -p pot : the working pot
  -A attribute : get value of attribute, one of
""",
        True,
        "",
    ),
}


# the commands whose help is built at run time: create-base's lists the valid releases
RUNTIME_HELP = frozenset({"create-base"})


def help_text(name: str, settings: Settings | None = None) -> str:
    """The help of command ``name``; with the settings, create-base's lists the releases
    valid on this host."""
    if name in RUNTIME_HELP and settings is not None:
        from pot.release import valid_releases

        return create_base_help(valid_releases(settings))
    return command_help(name)


def command_help(name: str) -> str:
    """The help of command ``name`` (a command upstream has no help for gets -h alone)."""
    if name in _ATTRIBUTE_HELP:
        head, readonly, tail = _ATTRIBUTE_HELP[name]
        return head + _attribute_list(readonly=readonly) + tail
    return HELP.get(name, f"pot {name} [-h]\n  -h print this help\n")
