# SPDX-License-Identifier: GPL-2.0-only
#
# ci/lib.sh: what every ci/ script shares; sourced, never run:
#     ci=$(cd "$(dirname "$0")" && pwd)
#     me=NAME          # optional, default: the script's file name
#     . "$ci/lib.sh"
#
# The one exit-code table of the suite (README.md, "Exit codes"); tests,
# ci/ scripts and Automake agree on it:
#     0    pass                     1    fail (a check found a problem)
#     77   skip (a real capability is missing; says why)
#     99   bad input or harness error ("NAME: error: ..." on stderr)
#     124  timeout                  125  cannot test (a bisect step)
#
# The command-line contract: --help (or -h) prints the script's header
# comment, its usage, to stdout and exits 0; an unknown option, a missing
# or malformed value is one "NAME: error: ..." line on stderr and exit 99.

KMT_EXIT_PASS=0
KMT_EXIT_FAIL=1
KMT_EXIT_SKIP=77
KMT_EXIT_ERROR=99
KMT_EXIT_TIMEOUT=124
KMT_EXIT_UNTESTABLE=125

me=${me:-${0##*/}}

# One error line, exit 99.
die() {
	echo "$me: error: $*" >&2
	exit "$KMT_EXIT_ERROR"
}

# need "$@" in an option loop: the option in $1 takes a value.
need() {
	[ $# -ge 2 ] || die "$1 needs an argument"
	case $2 in
	'') die "$1 needs a non-empty argument" ;;
	esac
}

# need_uint OPTION VALUE: a whole number (digits only, at least 1 when
# POSITIVE is given as a third word).
need_uint() {
	case $2 in
	''|*[!0-9]*) die "$1 wants a whole number, not '$2'" ;;
	esac
	[ -z "${3:-}" ] || [ "$2" -gt 0 ] || die "$1 wants a positive number, not '$2'"
}

# The header comment (after the #! and SPDX lines, up to the first line
# that is not a comment), without its "# ", is the usage.
usage() {
	awk 'NR == 1 && /^#!/ { next }
	     /SPDX-License-Identifier/ { next }
	     /^#/ { sub(/^# ?/, ""); if ($0 != "") seen = 1; if (seen) print; next }
	     seen || NF { exit }' "$0"
}

# help_or_bad "$1" in an option loop's catch-all for "-*": --help/-h
# print the usage and exit 0, anything else is an unknown option.
help_or_bad() {
	case $1 in
	-h|--help) usage; exit "$KMT_EXIT_PASS" ;;
	*) die "unknown option $1 (see $me --help)" ;;
	esac
}

# The test matrix, tests/tests.cfg (ci/matrix.awk reads it; its syntax
# there): which program runs in which configuration, in which groups.
# Needs $ci (this directory); KMT_MATRIX and KMT_CONFIGS_FILE name other
# files.  A bad matrix, group or test dies; in a command substitution
# follow it with "|| exit".
#   matrix_tests [GROUP...]   the programs (tests/NAME), one a line; with
#                             groups, those in any of them
#   matrix_configs TEST       TEST's configurations (TEST: tests/NAME, a
#                             path to the program, or NAME), one a line
#   matrix_cpus TEST          its guest's vCPUs
#   matrix_machine TEST       its machine settings, NAME=VALUE lines as
#                             TEST --list-configs prints them (cpus=N
#                             unless 1, memory=MIB, timeout=SECONDS)
matrix_query() {
	_mq=$(awk "$@" -f "$ci/matrix.awk" "${KMT_CONFIGS_FILE:-$ci/configs}" \
		"${KMT_MATRIX:-${ci%/ci}/tests/tests.cfg}" 2>&1) ||
		die "${_mq#matrix: error: }"
	[ -z "$_mq" ] || printf '%s\n' "$_mq"
}
matrix_tests() {
	matrix_query -v what=tests -v group="$*"
}
matrix_configs() {
	matrix_query -v what=configs -v test="${1##*/}"
}
matrix_cpus() {
	matrix_query -v what=cpus -v test="${1##*/}"
}
matrix_machine() {
	matrix_query -v what=machine -v test="${1##*/}"
}

# must CMD...: run a helper; turn its last "name: error: why" (else its
# last line of stderr) into our one error line.
must() {
	_me=$(mktemp "${TMPDIR:-/tmp}/kmt-must.XXXXXX") || die "mktemp failed"
	"$@" 2>"$_me" && { rm -f "$_me"; return 0; }
	_why=$(awk '/: error: / { e = $0; sub(/^[^ ]*: error: /, "", e) }
		NF { l = $0 } END { print e != "" ? e : l }' "$_me")
	rm -f "$_me"
	die "${_why:-$(basename "$1") failed}"
}

# q ARG...: the words quoted for display and for eval, each after a blank,
# so that a logged command line can be pasted back.
q() {
	for _a in "$@"; do
		case $_a in
		*[!A-Za-z0-9_./:=,+%-]*)
			printf " '%s'" "$(printf '%s' "$_a" | sed "s/'/'\\\\''/g")" ;;
		*) printf ' %s' "$_a" ;;
		esac
	done
}

# Where downloads, initramfs images, vmlinux files and kernel builds are
# kept between runs (shared by vm-run, build-kernel, bench...).
kmt_cache=${KMT_CACHE_DIR:-${HOME:-/tmp}/.cache/kvm-mmu-tests}
