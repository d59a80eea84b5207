# SPDX-License-Identifier: GPL-2.0-only
#
# Turns the TAP logs of a run (one file per test, as Automake's tests/*.log
# or ci/vm-run's output) into a qualification report.  Writes
#   OUT/junit.xml    JUnit XML (one <testsuite> per test program)
#   OUT/matrix.md    test x configuration matrix, failures with diagnostics
#   OUT/facts.md     kernel, QEMU/CPU, module parameters, timings
#   OUT/figures.md   the YAML figures of passing points (kmem per VM, ...)
#   OUT/points.tsv   one line per point, for ci/kcidb.awk, ci/compare.awk
#                    and ci/html.awk: test, config, key, status, description,
#                    reason, diagnostics, YAML (tabs and newlines escaped
#                    as \t, \n; backslashes as \\).  The key names the
#                    point across runs: its description with standalone
#                    numbers (measurements) as "N", "~2", "~3"... after it
#                    when that repeats within the configuration.
#   OUT/known.md     known kernel bugs seen, and those found fixed
#   OUT/env.tsv      what the points ran on: "kernel", "release", "qemu",
#                    "bochs" lines, "param CONFIG PARAMS", "time TEST QEMU
#                    BOCHS" (tab-separated)
# Usage: awk -v out=DIR -f ci/report.awk LOG...
# TAP point names carry their configuration as "[config] description".

function xml(s) {
	gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s)
	gsub(/"/, "\\&quot;", s)
	gsub(/[\001-\010\013\014\016-\037]/, "?", s)
	return s
}

function test_name(file,    t) {
	t = file
	sub(/^.*\/tests\//, "tests/", t)
	sub(/\.(log|tap)$/, "", t)
	return t
}

# Close the test case whose diagnostics we were collecting.
function flush_case() {
	if (cur == "")
		return
	cases[test, ++ncase[test]] = cur
	case_diag[test, ncase[test]] = diag
	case_yaml[test, ncase[test]] = yaml
	cur = ""; diag = ""; yaml = ""; in_yaml = 0
}

# Backslash, tab and newline escaped: one TSV field.
function esc(s) {
	gsub(/\\/, "\\\\\\\\", s); gsub(/\t/, "\\t", s); gsub(/\n/, "\\n", s)
	return s
}

# The point's name without its measurements: numbers that stand alone
# (not part of a word such as pages_2m or hugetlb-1g), hex included.
function point_key(d,   k, out) {
	k = " " d " "
	gsub(/0x[0-9a-fA-F]+/, "N", k)
	out = ""
	while (match(k, /[^A-Za-z0-9_.][-+]?[0-9][0-9.]*[^A-Za-z0-9_]/)) {
		out = out substr(k, 1, RSTART) "N"
		k = substr(k, RSTART + RLENGTH - 1)
	}
	k = out k
	sub(/^ /, "", k); sub(/ $/, "", k)
	return k
}

function new_test(file) {
	flush_case()
	test = test_name(file)
	tests[++ntests] = test
	ncase[test] = 0
}

FNR == 1 { new_test(FILENAME) }

/^(not )?ok [0-9]+/ {
	flush_case()
	line = $0
	status = (line ~ /^not ok/) ? "fail" : "pass"
	if (line ~ /# [Ss][Kk][Ii][Pp]/)
		status = "skip"
	# A failing TODO point is a known kernel bug (Automake: XFAIL).
	if (status == "fail" && line ~ /# TODO/)
		status = "known"
	desc = line
	sub(/^(not )?ok [0-9]+ *-? */, "", desc)
	cfg = "default"
	if (desc ~ /^\[[^]]+\]/) {
		cfg = substr(desc, 2, index(desc, "]") - 2)
		desc = substr(desc, index(desc, "]") + 2)
	}
	reason = ""
	if (status == "known" && match(desc, / *# TODO */)) {
		reason = substr(desc, RSTART + RLENGTH)
		desc = substr(desc, 1, RSTART - 1)
	}
	if (status == "skip" && match(desc, / *# [Ss][Kk][Ii][Pp] */)) {
		reason = substr(desc, RSTART + RLENGTH)
		desc = substr(desc, 1, RSTART - 1)
	}
	if (!(cfg in seen_cfg)) { seen_cfg[cfg] = 1; cfgs[++ncfg] = cfg }
	count[test, cfg, status]++
	total[status]++
	cur = status SUBSEP cfg SUBSEP desc SUBSEP reason
	next
}

/^# kernel: / && !kernel { kernel = substr($0, 11) }
/^# guest kernel: / && !release { release = substr($0, 17) }
/^# qemu: / && !qemu { qemu = substr($0, 9) }
/^# (\[[^]]+\] )?bochs: / && !bochs { bochs = $0; sub(/^.*bochs: /, "", bochs) }
/^# \[[^]]+\] module parameters: / {
	p = substr($0, 3)
	if (!(p in seen_param)) { seen_param[p] = 1; params[++nparam] = p }
}
/^# time: / { timing[test] = substr($0, 9) }
/^# (\[[^]]+\] )?bochs time: / { btiming[test] = $0; sub(/^.*bochs time: /, "", btiming[test]) }
/^Bail out!/ { flush_case(); cur = "fail" SUBSEP "harness" SUBSEP $0; total["fail"]++; count[test, "harness", "fail"]++
	if (!("harness" in seen_cfg)) { seen_cfg["harness"] = 1; cfgs[++ncfg] = "harness" } }
# ci/known-issues.awk's verdict on a passing point a known bug names.
/^# known issue [^ ]+: / && cur != "" {
	split(cur, a, SUBSEP)
	kfixed[++nkfixed] = test ": [" a[2] "] " substr($0, 3)
}
/^#/ { if (cur != "") diag = diag substr($0, 3) "\n"; next }
/^  / {
	if (cur == "")
		next
	diag = diag $0 "\n"
	if ($0 ~ /^  ---/) in_yaml = 1
	else if ($0 ~ /^  \.\.\./) in_yaml = 0
	else if (in_yaml) yaml = yaml substr($0, 3) "\n"
	next
}

function cell(t, c,    p, f, s, k) {
	p = count[t, c, "pass"] + 0; f = count[t, c, "fail"] + 0
	s = count[t, c, "skip"] + 0; k = count[t, c, "known"] + 0
	if (!p && !f && !s && !k)
		return "-"
	return (f ? "**" f " FAIL** " : "") p " pass" (s ? ", " s " skip" : "") \
		(k ? ", " k " known bug" : "")
}

END {
	flush_case()
	junit = out "/junit.xml"; matrix = out "/matrix.md"; facts = out "/facts.md"
	figures = out "/figures.md"

	printf "" > figures
	for (i = 1; i <= ntests; i++) {
		t = tests[i]
		for (k = 1; k <= ncase[t]; k++) {
			split(cases[t, k], a, SUBSEP)
			if (a[1] != "pass" || case_yaml[t, k] == "") continue
			printf "\n%s: [%s] %s\n\n```\n%s```\n", t, a[2], a[3], case_yaml[t, k] > figures
		}
	}

	printf "| | %s |\n", "kernel under test" > facts
	printf "|---|---|\n" > facts
	printf "| kernel | %s |\n", kernel ? kernel : "native" > facts
	printf "| QEMU and CPU model | %s |\n", qemu ? qemu : "none (native)" > facts
	if (bochs)
		printf "| Bochs (Intel points, [intel:CONFIG]) | %s |\n", bochs > facts
	for (i = 1; i <= nparam; i++)
		printf "| module parameters | %s |\n", params[i] > facts
	printf "\n### Timings\n\n| test | QEMU (or native) | Bochs |\n|---|---|---|\n" > facts
	for (i = 1; i <= ntests; i++)
		printf "| %s | %s | %s |\n", tests[i], (tests[i] in timing) ? timing[tests[i]] : "",
		       (tests[i] in btiming) ? btiming[tests[i]] : "" > facts

	printf "| test |" > matrix
	for (c = 1; c <= ncfg; c++) printf " %s |", cfgs[c] > matrix
	printf "\n|---|" > matrix
	for (c = 1; c <= ncfg; c++) printf "---|" > matrix
	printf "\n" > matrix
	for (i = 1; i <= ntests; i++) {
		printf "| %s |", tests[i] > matrix
		for (c = 1; c <= ncfg; c++) printf " %s |", cell(tests[i], cfgs[c]) > matrix
		printf "\n" > matrix
	}
	printf "\n**%d passed, %d failed, %d skipped, %d known kernel bugs**\n", total["pass"], total["fail"], total["skip"], total["known"] > matrix
	nknown = 0
	for (i = 1; i <= ntests; i++) {
		t = tests[i]
		for (k = 1; k <= ncase[t]; k++) {
			split(cases[t, k], a, SUBSEP)
			if (a[1] != "known") continue
			if (!nknown++) printf "\n## Known kernel bugs\n\n" > matrix
			printf "- %s: [%s] %s: %s\n", t, a[2], a[3], a[4] > matrix
		}
	}
	known = out "/known.md"; printf "" > known
	for (i = 1; i <= nkfixed; i++) {
		if (i == 1) printf "\n### Known bugs not seen on this kernel\n\n" > known
		printf "- %s\n", kfixed[i] > known
	}
	nfail = 0
	for (i = 1; i <= ntests; i++) {
		t = tests[i]
		for (k = 1; k <= ncase[t]; k++) {
			split(cases[t, k], a, SUBSEP)
			if (a[1] != "fail") continue
			if (!nfail++) printf "\n## Failures\n" > matrix
			printf "\n### %s: [%s] %s\n\n```\n%s```\n", t, a[2], a[3], case_diag[t, k] > matrix
		}
	}

	env = out "/env.tsv"
	printf "kernel\t%s\nrelease\t%s\nqemu\t%s\nbochs\t%s\n", kernel, release, qemu, bochs > env
	for (i = 1; i <= nparam; i++) {
		c = substr(params[i], 2, index(params[i], "]") - 2)
		p = params[i]; sub(/^[^]]*\] module parameters: */, "", p)
		printf "param\t%s\t%s\n", c, p > env
	}
	for (i = 1; i <= ntests; i++)
		printf "time\t%s\t%s\t%s\n", tests[i], timing[tests[i]], btiming[tests[i]] > env

	tsv = out "/points.tsv"
	printf "" > tsv
	for (i = 1; i <= ntests; i++) {
		t = tests[i]
		for (k = 1; k <= ncase[t]; k++) {
			split(cases[t, k], a, SUBSEP)
			key = point_key(a[3])
			n = ++keyseen[t, a[2], key]
			if (n > 1) key = key " ~" n
			printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t, a[2], esc(key), a[1],
			       esc(a[3]), esc(a[4]), esc(case_diag[t, k]), esc(case_yaml[t, k]) > tsv
		}
	}

	printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" > junit
	printf "<testsuites tests=\"%d\" failures=\"%d\" skipped=\"%d\">\n", total["pass"] + total["fail"] + total["skip"] + total["known"], total["fail"], total["skip"] + total["known"] > junit
	for (i = 1; i <= ntests; i++) {
		t = tests[i]; nf = 0; ns = 0
		for (k = 1; k <= ncase[t]; k++) {
			split(cases[t, k], a, SUBSEP)
			nf += a[1] == "fail"; ns += a[1] == "skip" || a[1] == "known"
		}
		printf "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\">\n", xml(t), ncase[t], nf, ns > junit
		for (k = 1; k <= ncase[t]; k++) {
			split(cases[t, k], a, SUBSEP)
			cls = t; gsub(/\//, ".", cls)
			printf "    <testcase classname=\"%s.%s\" name=\"%s\">", xml(cls), xml(a[2]), xml(a[3]) > junit
			if (a[1] == "fail")
				printf "\n      <failure message=\"%s\">%s</failure>\n    ", xml(a[3]), xml(case_diag[t, k]) > junit
			else if (a[1] == "skip")
				printf "<skipped message=\"%s\"/>", xml(a[4]) > junit
			else if (a[1] == "known")
				printf "<skipped message=\"%s\"/>", xml(a[4]) > junit
			printf "</testcase>\n" > junit
		}
		printf "  </testsuite>\n" > junit
	}
	printf "</testsuites>\n" > junit
}
