#!/bin/bash
# What drawing progress costs an import and a rebuild: CPU time (user + sys) and wall time of
# `import LOG` and then `rebuild` of the imported store, three rounds, with another build's CLI
# (one from before progress existed), with this build piped (no progress) and with this build
# on a pseudo-terminal (progress redrawn). Run `npm run build` first.
#
#   bench/progress-cost.sh OTHER_BUILD/dist/src/cli.js LOG.ndjson
set -euo pipefail
OLD=$(realpath "$1")
LOG=$(realpath "$2")
NEW=$(realpath "$(dirname "$0")/../dist/src/cli.js")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
echo '{"lab": {"systems": []}}' > config.json
measure() {
  local label=$1; shift
  /usr/bin/time -o time.out -f '%U %S %e' "$@" > /dev/null 2>&1
  read -r user sys wall < time.out
  echo "$label  cpu $(echo "$user + $sys" | bc) s  wall $wall s"
}
on_terminal() {
  local label=$1; shift
  script -qfec "/usr/bin/time -o time.out -f '%U %S %e' $*" /dev/null > /dev/null 2>&1
  read -r user sys wall < time.out
  echo "$label  cpu $(echo "$user + $sys" | bc) s  wall $wall s"
}
for round in 1 2 3; do
  rm -rf before piped terminal
  measure     "import  before  " node "$OLD" import "$LOG" --data-dir before --config config.json
  measure     "import  piped   " node "$NEW" import "$LOG" --data-dir piped --config config.json
  on_terminal "import  terminal" node "$NEW" import "$LOG" --data-dir terminal --config config.json
  measure     "rebuild before  " node "$OLD" rebuild --data-dir before --config config.json
  measure     "rebuild piped   " node "$NEW" rebuild --data-dir piped --config config.json
  on_terminal "rebuild terminal" node "$NEW" rebuild --data-dir terminal --config config.json
done
