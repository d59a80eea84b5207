#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# tests/report/check-html.sh [REPORT.html] [SCREENSHOT.png]
#
# Load report.html in a real browser (Debian's chromium, headless) and
# find the matrix, the comparison and the kmem plot in the DOM it built;
# with SCREENSHOT, leave a picture of the page there.  Without a report
# it makes one from canned logs (tests/report/check-report.sh's).  Part
# of make check-slow; SKIPs (77) without chromium.  Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ci=$(cd "$here/../../ci" && pwd)
page=${1:-} shot=${2:-}
case $page in -h|--help) sed -n '4,10s/^# \{0,1\}//p' "$0"; exit 0 ;; -*) echo "check-html.sh: error: unknown option $page" >&2; exit 99 ;; esac
echo "TAP version 13"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	echo "1..0 # SKIP no chromium (apt-get install chromium)"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-html.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if [ -z "$page" ]; then
	# A report with every part: a failure, a known bug, kmem, a baseline.
	mkdir -p "$tmp/b/tests"
	cat >"$tmp/b/tests/kmem.log" <<'EOF'
TAP version 13
# qemu: QEMU emulator version 7.2.22, accel tcg, cpu EPYC
# [tdp] module parameters: kvm.tdp_mmu=Y kvm.eager_page_split=Y
# time: boot 9.00 s (QEMU start to /init), tests 50.00 s, total 59.00 s
# guest kernel: 6.1.0-57-amd64
1..3
ok 1 - [tdp] map-4k: 1 GiB mapped 4 KiB: 1234567 bytes per GiB (max of 3 rounds) within budget 2000000
ok 2 - [tdp] vm: an idle VM: 200000 bytes per VM (max of 3 rounds) within budget 250000
not ok 3 - [shadow] vm: an idle VM: 300000 bytes per VM (max of 3 rounds) within budget 250000
# cgroup memory.stat: kernel 300000
EOF
	awk -v out="$tmp/b" -f "$ci/report.awk" "$tmp/b/tests/kmem.log"
	awk -v old="$tmp/b/points.tsv" -v new="$tmp/b/points.tsv" -v out="$tmp/b" -f "$ci/compare.awk"
	awk -v env="$tmp/b/env.tsv" -v compare="$tmp/b/compare.tsv" -v verdict=0 -v title="check-html" \
		-v stamp=canned -v basepoints="$tmp/b/points.tsv" -f "$ci/html.awk" "$tmp/b/points.tsv" >"$tmp/report.html"
	page=$tmp/report.html
fi
[ -f "$page" ] || { echo "check-html.sh: error: no such page: $page" >&2; exit 99; }
page=$(cd "$(dirname "$page")" && pwd)/$(basename "$page")
set -- --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --user-data-dir="$tmp/profile"
timeout 120 "$browser" "$@" --dump-dom "file://$page" >"$tmp/dom" 2>"$tmp/err"
rc=$?
n=0 failed=0
point() {
	n=$((n + 1))
	if [ "$1" = 1 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; tail -n 5 "$tmp/err" | sed 's/^/#   /'; fi
}
yes_if() { if "$@"; then echo 1; else echo 0; fi }
point "$([ "$rc" = 0 ] && [ -s "$tmp/dom" ] && echo 1 || echo 0)" "chromium loaded $page (exit $rc)"
point "$(yes_if grep -q '<table id="matrix">' "$tmp/dom")" "the DOM holds the test x configuration matrix"
point "$(yes_if grep -q '<td class="\(pass\|fail\|known\|skip\)"' "$tmp/dom")" "its cells are coloured by class"
if grep -q 'id="kmem"' "$page"; then
	point "$(yes_if grep -q '<svg[^>]*class="kmem"' "$tmp/dom")" "the kmem plot (inline SVG) is in the DOM"
else
	n=$((n + 1)); echo "ok $n - the kmem plot is in the DOM # SKIP the report has no kmem figures"
fi
if [ -n "$shot" ]; then
	timeout 120 "$browser" "$@" --window-size=1280,1100 --screenshot="$shot" "file://$page" >/dev/null 2>>"$tmp/err"
	point "$([ -s "$shot" ] && echo 1 || echo 0)" "screenshot written to $shot"
fi
echo "1..$n"
exit "$failed"
