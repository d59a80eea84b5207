# SPDX-License-Identifier: GPL-2.0-only
#
# Compare a run with a baseline run, point by point (points.tsv of
# ci/report.awk, matched on test, configuration and key), the way
# kci-dev's "results compare" does, and say whether the run is fit:
#     awk -v old=BASE/points.tsv -v new=points.tsv [-v repeats="R1 R2"] \
#         -v out=DIR [-v base_name=...] -f ci/compare.awk
# Classes (a known kernel bug, XFAIL, counts as failing):
#   regression          passed (or skipped) in the baseline, fails now, in
#                       every repeat too
#   fixed               failed in the baseline, passes now
#   unstable            the runs of this kernel disagree (the first run and
#                       a repeat of its failing tests, --repeat N)
#   persistent failure  fails in both
#   new                 not in the baseline (or skipped there, runs now)
#   missing             in the baseline, not run now (absent, or SKIP now)
# Writes DIR/compare.md (table first, for report.md) and DIR/compare.tsv
# (test, config, key, class, baseline, now, repeats, description).
# Exit: 0 no regression, 1 regression, 2 incomplete run (the harness
# could not run points: absent ones, or harness errors), when no
# regression.

function unesc(s) {
	gsub(/\\\\/, "\001", s); gsub(/\\n/, "\n", s); gsub(/\\t/, "\t", s)
	gsub(/\001/, "\\", s)
	return s
}

function bad(s) { return s == "fail" || s == "known" }
function harness_error(d) { return d ~ /^(not run|setup|test run|timed out|crashed|Bail out)/ }
function flat(s) { gsub(/[\t\n]/, " ", s); return s }
function md(s) { gsub(/\|/, "\\|", s); return flat(s) }

function load(file, st, ds, order,   l, f, id, n) {
	n = 0
	while ((getline l < file) > 0) {
		split(l, f, "\t")
		id = f[1] SUBSEP f[2] SUBSEP f[3]
		if (id in st) continue
		st[id] = f[4]; ds[id] = unesc(f[5])
		if (order != "") list[++nlist] = id
		n++
	}
	close(file)
	return n
}

BEGIN {
	FS = "\t"
	if (load(old, ost, odesc, "") == 0) {
		print "compare: error: no points in the baseline " old > "/dev/stderr"
		exit 99
	}
	load(new, nst, ndesc, "order")
	nrep = split(repeats, rf, " ")
	for (r = 1; r <= nrep; r++) {
		delete rs; delete rd
		load(rf[r], rs, rd, "")
		for (id in rs) rep[id] = rep[id] (rep[id] == "" ? "" : " ") rs[id]
	}
	# Points of the baseline that are gone: after the run's own.
	for (id in ost) if (!(id in nst)) gone[++ngone] = id

	order_cls = "regression unstable fixed persistent-failure new missing"
	ncls = split(order_cls, cls, " ")
	for (i = 1; i <= nlist; i++) {
		id = list[i]; n = nst[id]; o = (id in ost) ? ost[id] : ""
		c = ""
		flaky = 0
		if (id in rep) {
			m = split(rep[id], rr, " ")
			for (j = 1; j <= m; j++) if (bad(rr[j]) != bad(n)) flaky = 1
		}
		if (flaky) c = "unstable"
		else if (o == "") c = "new"
		else if (n == "skip" && o != "skip") c = "missing"
		else if (o == "skip" && n != "skip") c = bad(n) ? "regression" : "new"
		else if (!bad(o) && bad(n)) c = "regression"
		else if (bad(o) && !bad(n)) c = "fixed"
		else if (bad(o) && bad(n)) c = "persistent-failure"
		if (bad(n) && harness_error(ndesc[id])) incomplete = 1
		cl[id] = c
		if (c != "") count[c]++
		else same++
	}
	for (i = 1; i <= ngone; i++) { cl[gone[i]] = "missing"; count["missing"]++; incomplete = 1 }

	tsv = out "/compare.tsv"; mdf = out "/compare.md"
	printf "" > tsv
	printf "Baseline: %s.  Points matched on test, configuration and description (numbers aside).\n\n", \
	       base_name != "" ? base_name : old > mdf
	printf "| regression | unstable | fixed | persistent failure | new | missing | unchanged |\n" > mdf
	printf "|---|---|---|---|---|---|---|\n" > mdf
	printf "| %s | %d | %d | %d | %d | %d | %d |\n", \
	       count["regression"] ? "**" count["regression"] "**" : "0", count["unstable"], count["fixed"],
	       count["persistent-failure"], count["new"], count["missing"], same > mdf
	if (nrep) printf "\nFailing tests were run %d more time(s) to tell unstable points from regressions.\n", nrep > mdf
	any = 0
	for (k = 1; k <= ncls; k++) {
		for (i = 1; i <= nlist + ngone; i++) {
			id = (i <= nlist) ? list[i] : gone[i - nlist]
			if (cl[id] != cls[k]) continue
			split(id, f, SUBSEP)
			if (!any++) {
				printf "\n| class | test | configuration | point | baseline | now | repeats |\n" > mdf
				printf "|---|---|---|---|---|---|---|\n" > mdf
			}
			d = (id in nst) ? ndesc[id] : odesc[id]
			c = cls[k]; sub(/-/, " ", c)
			printf "| %s | %s | %s | %s | %s | %s | %s |\n", (c == "regression" ? "**regression**" : c),
			       f[1], f[2], md(d), (id in ost) ? ost[id] : "-", (id in nst) ? nst[id] : "-",
			       (id in rep) ? rep[id] : "" > mdf
			printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f[1], f[2], f[3], cls[k],
			       (id in ost) ? ost[id] : "", (id in nst) ? nst[id] : "", rep[id], flat(d) > tsv
		}
	}
	verdict = count["regression"] ? 1 : incomplete ? 2 : 0
	printf "\n**Verdict: %s** (exit %d)\n", verdict == 1 ? "regression" : verdict == 2 ? \
	       "incomplete run: points could not run" : "no regression", verdict > mdf
	exit verdict
}
