#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# tests/harness/check-matrix.sh: in make check, no VM.  The test matrix,
# tests/tests.cfg, is the one place that says which test program runs in
# which configuration; prints TAP, a point for each of:
#   - the matrix is well formed and names only configurations of
#     ci/configs (ci/matrix.awk); a bad machine setting (memory, timeout,
#     cpus) or key is an error, good ones are answered as written
#   - Makefile.am's KVM_TESTS are the matrix's programs ($KMT_KVM_TESTS
#     from make check, else read from Makefile.am)
#   - each test source (tests/*.c) declares no configuration of its own:
#     no .configs field, no --list-configs or cpus= answer, no reading of
#     $KMT_CONFIG; kmem alone filters its scenarios by configuration
#     (scenario data, tests/kmem.c), and only by names the matrix gives it
#   - every mutant's Target-Test is a program of the matrix and its
#     Target-Configs are among that program's configurations
#   - the LAVA definitions' CONFIGS name only configurations of ci/configs
#   - each built program (in $KMT_BUILDDIR, when make check sets it)
#     answers --list-configs with its matrix stanza: the compiled table
#     (lib/matrix.c) is not stale
# Exit: 0 all points ok, 1 some point not ok, 99 bad input.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ci=$top/ci
me=check-matrix.sh
. "$ci/lib.sh"
case ${1:-} in
-*) help_or_bad "$1" ;;
'') ;;
*) die "no arguments (see $me --help)" ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$here/tap.sh"
echo "TAP version 13"
# check OK DESCRIPTION: a point whose why, on failure, is in $tmp/why.
check() {
	point "$1" "$2" "$tmp/why"
	: >"$tmp/why"
}
: >"$tmp/why"

# --- the matrix itself --------------------------------------------------
ok=1
(matrix_query -v what=check) 2>"$tmp/why" || ok=0
check $ok "tests/tests.cfg is well formed, every configuration in ci/configs"
if [ "$ok" = 0 ]; then
	echo "1..$n"
	exit 1
fi
matrix=$(matrix_tests)

# Bad values get one "matrix: error:" line and exit 99, the good ones are
# answered as --list-configs would print them.
bad=0
for stanza in 'memory = 5T' 'memory = 256M' 'memory = 9G' 'timeout = 10' \
	'timeout = 2m' 'cpus = 9' 'features = la57'; do
	printf '[t]\nconfigs = shadow\ngroups = quick\n%s\n' "$stanza" >"$tmp/m.cfg"
	r=0
	awk -v what=check -f "$ci/matrix.awk" "$ci/configs" "$tmp/m.cfg" \
		>"$tmp/out" 2>"$tmp/err" || r=$?
	[ "$r" = 99 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
		grep -q '^matrix: error: ' "$tmp/err" || {
		bad=1
		echo "'$stanza': exit $r, stderr: $(cat "$tmp/err")" >>"$tmp/why"
	}
done
printf '[t]\nconfigs = shadow\ngroups = quick\nmemory = 2G\ntimeout = 90\ncpus = 2\n' >"$tmp/m.cfg"
got=$(awk -v what=machine -v test=t -f "$ci/matrix.awk" "$ci/configs" "$tmp/m.cfg" 2>&1 |
	tr '\n' ' ')
[ "$got" = "cpus=2 memory=2048 timeout=90 " ] || {
	bad=1
	echo "memory = 2G, timeout = 90, cpus = 2 answered '$got'" >>"$tmp/why"
}
check $((1 - bad)) "bad memory, timeout, cpus and unknown keys are one error line, exit 99; good ones answered in MiB and seconds"

# --- Makefile.am -----------------------------------------------------------
kvm=${KMT_KVM_TESTS:-$(awk '
	/^KVM_TESTS[ \t]*=/ { on = 1; sub(/^[^=]*=/, "") }
	on { c = sub(/\\$/, ""); printf "%s ", $0; if (!c) exit }' "$top/Makefile.am")}
kvm=$(echo $kvm | tr ' ' '\n')
ok=1
if [ "$kvm" != "$matrix" ]; then
	ok=0
	{
		echo "KVM_TESTS:  $(echo $kvm)"
		echo "the matrix: $(echo $matrix)"
	} >"$tmp/why"
fi
check $ok "Makefile.am's KVM_TESTS are the matrix's programs, in its order"

# --- the test sources ------------------------------------------------------
kmem_configs=$(matrix_configs kmem)
for f in "$top"/tests/*.c; do
	name=${f##*/}; name=${name%.c}
	# Comments are not declarations: drop them (/* */ and //, a line
	# each at a time is enough for this tree's style).
	awk '{
		line = $0
		while (!inc && (i = index(line, "/*"))) {
			rest = substr(line, i + 2)
			if ((j = index(rest, "*/"))) line = substr(line, 1, i - 1) substr(rest, j + 2)
			else { line = substr(line, 1, i - 1); inc = 1 }
		}
		if (inc) {
			if ((j = index(line, "*/"))) { line = substr(line, j + 2); inc = 0 }
			else line = ""
		}
		sub(/\/\/.*/, "", line)
		print FNR ": " line
	}' "$f" >"$tmp/code"
	if [ "$name" = kmem ]; then
		# Scenario entries (.name and .configs on one line) filter; the
		# names they use must be kmem's in the matrix.
		grep -E '\.configs[[:space:]]*=' "$tmp/code" |
			grep -vE '\.name[[:space:]]*=.*\.configs[[:space:]]*=[[:space:]]*"[^"]*"' \
			>"$tmp/bad"
		grep -E '\.configs[[:space:]]*=' "$tmp/code" |
			sed -n 's/.*\.configs[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' |
			tr ' ' '\n' | while read -r c; do
			[ -n "$c" ] || continue
			echo "$kmem_configs" | grep -qx -- "$c" ||
				echo "a scenario is measured in '$c', which the matrix does not give kmem ($(echo $kmem_configs))"
		done >>"$tmp/bad"
	else
		grep -E '\.configs[[:space:]]*=|KMT_CONFIG([^A-Za-z0-9_]|$)' "$tmp/code" >"$tmp/bad"
	fi
	grep -E 'list-configs|"[^"]*cpus=' "$tmp/code" >>"$tmp/bad"
	ok=1
	if [ -s "$tmp/bad" ]; then
		ok=0
		{
			echo "tests/$name.c: configurations belong in tests/tests.cfg (kmem's scenarios may only pick among its own there):"
			head -n 5 "$tmp/bad"
		} >"$tmp/why"
	fi
	check $ok "tests/$name.c declares no configuration of its own"
done

# --- the mutants -----------------------------------------------------------
# Header fields before the diff, an optional "# " in front (ci/check-mutants).
field() {
	sed -n "/^\(--- \|diff \)/q;s/^\(# *\)\{0,1\}$1: *//p" "$2" | head -n 1
}
nm=0
for p in "$top"/tests/mutants/*.patch; do
	[ -f "$p" ] || continue
	nm=$((nm + 1))
	t=$(field Target-Test "$p")
	c=$(field Target-Configs "$p" | tr -d ' ')
	if ! echo "$matrix" | grep -qx -- "$t"; then
		echo "${p##*/}: Target-Test '$t' is not a program of the matrix" >>"$tmp/why"
		continue
	fi
	tc=$(matrix_configs "$t")
	for x in $(echo "$c" | tr , ' '); do
		echo "$tc" | grep -qx -- "$x" ||
			echo "${p##*/}: Target-Configs '$x': $t runs in $(echo $tc) only" >>"$tmp/why"
	done
	[ -n "$c" ] || echo "${p##*/}: no Target-Configs" >>"$tmp/why"
done
ok=1
[ ! -s "$tmp/why" ] || ok=0
check $ok "the $nm mutants' Target-Configs are configurations their Target-Test runs in"

# --- LAVA --------------------------------------------------------------------
for y in "$top"/ci/lava/*.yaml; do
	sed -n 's/^[[:space:]]*CONFIGS:[[:space:]]*//p' "$y" | tr -d '"' |
		tr ' ' '\n' | while read -r c; do
		[ -n "$c" ] || continue
		[ "$c" = default ] ||
			awk -v c="$c" '$1 == c { f = 1 } END { exit !f }' \
			"${KMT_CONFIGS_FILE:-$ci/configs}" ||
			echo "${y#"$top"/}: CONFIGS names '$c', not in ci/configs"
	done
done >"$tmp/why"
ok=1
[ ! -s "$tmp/why" ] || ok=0
check $ok "the LAVA definitions' CONFIGS name configurations of ci/configs"

# --- the built programs ------------------------------------------------------
for t in $matrix; do
	b=${KMT_BUILDDIR:-}/$t
	if [ -z "${KMT_BUILDDIR:-}" ] || [ ! -x "$b" ]; then
		n=$((n + 1))
		echo "ok $n - $t --list-configs is its matrix stanza # SKIP not built (KMT_BUILDDIR=${KMT_BUILDDIR:-})"
		continue
	fi
	{
		matrix_configs "$t"
		matrix_machine "$t"
	} >"$tmp/want"
	ok=1
	"$b" --list-configs </dev/null >"$tmp/got" 2>"$tmp/err" || ok=0
	cmp -s "$tmp/want" "$tmp/got" || ok=0
	[ "$ok" = 1 ] || {
		echo "$b --list-configs: $(tr '\n' ' ' <"$tmp/got")$(cat "$tmp/err")"
		echo "tests/tests.cfg:     $(tr '\n' ' ' <"$tmp/want") (rebuild: make)"
	} >"$tmp/why"
	check $ok "$t --list-configs is its matrix stanza"
done

echo "1..$n"
exit "$failed"
