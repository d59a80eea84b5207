#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The command-line contract of every ci/ script (ci/lib.sh), in make
# check; prints TAP, two points per script:
#   --help            exit 0, the usage on stdout (naming the script),
#                     nothing on stderr
#   --bogus-option    exit 99, nothing on stdout, one line on stderr that
#                     starts with "NAME: error: "
# The scripts: every file directly under ci/ that starts with #!/bin/sh
# or #!/bin/bash.  Each runs with a 30 s limit in an empty directory, so
# a script that ignored its arguments and went to work would do little.
set -u

here=$(cd "$(dirname "$0")" && pwd)
ci=$(cd "$here/../../ci" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

set --
for f in "$ci"/*; do
	[ -f "$f" ] || continue
	case $(head -c 32 "$f") in
	'#!/bin/sh'*|'#!/bin/bash'*) set -- "$@" "$f" ;;
	esac
done

echo "TAP version 13"
echo "1..$(($# * 2))"
. "$here/tap.sh"
run() {	# SCRIPT ARG
	rc=0
	mkdir -p "$tmp/cwd"
	(cd "$tmp/cwd" && exec timeout -k 5 30 sh "$1" "$2") </dev/null \
		>"$tmp/out" 2>"$tmp/err" || rc=$?
}
for f in "$@"; do
	name=${f##*/}
	run "$f" --help
	ok=0
	[ "$rc" = 0 ] && [ -s "$tmp/out" ] && [ ! -s "$tmp/err" ] &&
		grep -q "$name" "$tmp/out" && ok=1
	point $ok "ci/$name --help: usage on stdout, exit 0 (exit $rc)" "$tmp/out" "$tmp/err"
	run "$f" --bogus-option
	ok=0
	[ "$rc" = 99 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
		grep -q "^$name: error: " "$tmp/err" && ok=1
	point $ok "ci/$name --bogus-option: one '$name: error:' line, exit 99 (exit $rc)" "$tmp/out" "$tmp/err"
done
exit "$failed"
