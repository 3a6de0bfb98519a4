# Completes a typed line in a real interactive zsh (in a pseudo-terminal) and prints the
# matches the completion system offered, one per line, sorted.
#   usage: zsh -f drive.zsh FPATH_DIR STUB_DIR "words typed"
# FPATH_DIR holds the _pot under test, STUB_DIR a `pot` that answers the look-ups.
# compadd is wrapped in the inner shell to print every match it is given ("MA""TCH:" is
# split so that the echo of the definition itself never matches).
zmodload zsh/zpty
fdir=$1 stub=$2 typed=$3
zpty z zsh -f -i
zpty -w z "PS1=''; PROMPT=''; RPROMPT=''; PATH=$stub:\$PATH"
zpty -w z "fpath=($fdir \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'compadd() { if (( ${@[(I)-[OAD]]} )); then builtin compadd "$@"; return; fi; local -a __m; builtin compadd -A __m "$@"; (( $#__m )) && print -rl -- "${(@)__m/#/MA""TCH:}"; builtin compadd "$@"; }'
zpty -w z "zstyle ':completion:*' menu no; zstyle ':completion:*' list-prompt ''"
zpty -w z "echo REA''DYX"
integer deadline=$(( SECONDS + 15 ))
out=''
while (( SECONDS < deadline )) && [[ $out != *READYX* ]]; do
  if zpty -rt z line; then out+=$line; else sleep 0.05; fi
done
zpty -w -n z "$typed"$'\t'
zpty -w z $'\C-u'"echo END''OFTEST"
out='' line=''
deadline=$(( SECONDS + 15 ))
while (( SECONDS < deadline )); do
  if zpty -rt z line; then
    out+=$line
    [[ $out == *ENDOFTEST*ENDOFTEST* || $out == *[^\']ENDOFTEST* ]] && break
  else
    sleep 0.05
  fi
done
print -r -- $out | tr -d '\r' | grep -ao 'MATCH:[^[:space:]]*' | sed 's/^MATCH://' | sort -u
zpty -d z
