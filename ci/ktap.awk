# SPDX-License-Identifier: GPL-2.0-only
#
# KTAP v1 (Documentation/dev-tools/ktap.rst) from a report's points.tsv:
# one test per test program, one subtest per configuration under it,
# the points nested under that, each level indented by two spaces, so
# that kselftest and KernelCI parsers read the configuration as structure
# rather than as "[config]" in a name:
#     KTAP version 1
#     1..2
#       KTAP version 1
#       # Subtest: eager_split
#       1..2
#         KTAP version 1
#         # Subtest: tdp
#         1..53
#         ok 1 hugetlb-2m: guest touched the slot ...
#         ok 22 ... # XFAIL known kernel bug: ...
#       ok 1 tdp
#     ...
# Directives: SKIP, XFAIL (a known kernel bug, tests/known-issues),
# TIMEOUT (the harness's timeout), ERROR (the harness could not run the
# test); diagnostics of failing points go before their result line.
# Automake's TAP driver keeps reading the flat TAP 13 stream of each
# test (tests/*.log); this is an extra artifact of ci/qualify.
#     awk [-v only=tests/NAME] -f ci/ktap.awk POINTS.tsv

function unesc(s) {
	gsub(/\\\\/, "\001", s); gsub(/\\n/, "\n", s); gsub(/\\t/, "\t", s)
	gsub(/\001/, "\\", s)
	return s
}

# A description may not hold "#".
function clean(s) { gsub(/#/, "No.", s); gsub(/[\t\n]/, " ", s); return s }

BEGIN { FS = "\t" }

only != "" && $1 != only { next }
{
	t = $1; c = $2
	if (!(t in seen_t)) { seen_t[t] = 1; tl[++nt] = t }
	if (!((t, c) in seen_c)) { seen_c[t, c] = 1; cl[t, ++nc[t]] = c }
	k = ++np[t, c]
	st[t, c, k] = $4; ds[t, c, k] = unesc($5); rs[t, c, k] = unesc($6)
	dg[t, c, k] = unesc($7)
}

function result(ind, n, s, d, r, diag,   line, m, i, l, dir) {
	if (s == "fail" || s == "known") {
		m = split(diag, l, "\n")
		for (i = 1; i <= m; i++) if (l[i] != "") print ind "# " l[i]
	}
	dir = ""
	if (s == "skip") dir = " # SKIP " clean(r)
	else if (s == "known") dir = " # XFAIL " clean(r)
	else if (s == "fail" && match(d, /^timed out after [0-9]+ s/)) dir = " # TIMEOUT " substr(d, 17, RLENGTH - 16)
	else if (s == "fail" && d ~ /^(not run|setup|test run|crashed|Bail out)/) dir = " # ERROR harness: " clean(d)
	print ind ((s == "fail") ? "not ok " : "ok ") n " " clean(d) dir
}

END {
	print "KTAP version 1"
	print "1.." nt
	for (i = 1; i <= nt; i++) {
		t = tl[i]; name = t; sub(/^tests\//, "", name)
		print "  KTAP version 1"
		print "  # Subtest: " name
		print "  1.." nc[t]
		tfail = 0; tall_skip = 1
		for (j = 1; j <= nc[t]; j++) {
			c = cl[t, j]
			print "    KTAP version 1"
			print "    # Subtest: " c
			print "    1.." np[t, c]
			cfail = 0; call_skip = 1
			for (k = 1; k <= np[t, c]; k++) {
				s = st[t, c, k]
				result("    ", k, s, ds[t, c, k], rs[t, c, k], dg[t, c, k])
				if (s == "fail") cfail = 1
				if (s != "skip") call_skip = 0
			}
			if (cfail) tfail = 1
			if (!call_skip) tall_skip = 0
			print "  " (cfail ? "not ok " : "ok ") j " " clean(c) (call_skip ? " # SKIP every point skipped" : "")
		}
		print (tfail ? "not ok " : "ok ") i " " clean(name) (tall_skip ? " # SKIP every point skipped" : "")
	}
}
