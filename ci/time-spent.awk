# SPDX-License-Identifier: GPL-2.0-only
#
# Where a suite's time went, from the logs of one make check-vm (a boot
# per test): ci/bench --suite's profile.
#     awk -v jobs=J -v boot=B -v top=N -f ci/time-spent.awk tests/*.log
# Reads, per log (the test is the file's name): vm-run's "# time: boot B
# s (...), tests T s, total W s", tap-merge's "# [CONFIG] run time: S s"
# and the tests' "# spent: [CONFIG] SUBJECT: S s, N points" (lib/tap.c).
# Prints each test's boot, tests and total with its configurations' run
# times, longest first; the N costliest subjects of the whole suite; and
# the floor that the tests' own time sets: their totals summed over J
# make jobs, in trivial boots of B seconds (the goal is counted in those).

function basename(f) { sub(/.*\//, "", f); sub(/\.log$/, "", f); return f }

# sort_down(KEYS, N, VAL): KEYS[1..N] by VAL[key], largest first
# (insertion sort: a handful of tests, some hundred subjects).
function sort_down(keys, n, val,    i, j, x) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && val[keys[j]] + 0 > val[keys[j - 1]] + 0; j--) {
			x = keys[j]; keys[j] = keys[j - 1]; keys[j - 1] = x
		}
}

FNR == 1 { test = basename(FILENAME) }
/^# time: boot / {
	for (i = 1; i < NF; i++) {
		if ($i == "boot" && !(test in bt)) bt[test] = $(i + 1)
		if ($i == "tests" && !(test in tt)) tt[test] = $(i + 1)
		if ($i == "total") wt[test] = $(i + 1)
	}
	next
}
/^# \[[^]]*\] run time: / {
	cfgs[test] = cfgs[test] sprintf(" %s %.1f", $2, $5)
	next
}
/^# spent: / {
	line = $0
	sub(/^# spent: /, "", line)
	# "[CONFIG] SUBJECT: S s, N points": the subject holds no ": ".
	n = split(line, part, ": ")
	secs = part[n] + 0
	subj = test " " part[1]
	for (i = 2; i < n; i++) subj = subj ": " part[i]
	spent[subj] += secs
	next
}

END {
	if (!jobs) jobs = 1
	nt = 0
	for (t in wt) names[++nt] = t
	sort_down(names, nt, wt)
	printf "%-16s %7s %7s %7s  %s\n", "test", "boot", "tests", "total", "per configuration"
	sum = sumb = 0
	for (i = 1; i <= nt; i++) {
		t = names[i]
		printf "%-16s %7.1f %7.1f %7.1f %s\n", t, bt[t], tt[t], wt[t], cfgs[t]
		sum += wt[t]; sumb += bt[t]
	}
	printf "%-16s %7.1f %7s %7.1f\n", "sum", sumb, "", sum
	ns = 0
	for (s in spent) subjects[++ns] = s
	sort_down(subjects, ns, spent)
	if (ns) printf "costliest subjects (seconds inside the guest):\n"
	for (i = 1; i <= ns && i <= top; i++)
		printf "  %7.1f  %s\n", spent[subjects[i]], subjects[i]
	if (boot > 0)
		printf "floor: the KVM tests' %.1f s over %d jobs = %.1f s = %.1f trivial boots, of which boots %.1f\n",
			sum, jobs, sum / jobs, sum / jobs / boot, sumb / jobs / boot
}
