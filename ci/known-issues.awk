# SPDX-License-Identifier: GPL-2.0-only
#
# Known kernel bugs as data (tests/known-issues) applied to one test's TAP
# stream: a failing point an entry matches (test, point, configuration,
# module parameters, kernel version in [since, fixed-in)) becomes
#   not ok N - [cfg] desc # TODO known kernel bug: FIX (fixed in V; ID)
# and a passing point an entry matches gets a diagnostic after it (after
# its YAML block) that the report turns into "fixed" / "not reproduced":
#   # known issue ID: fixed on this kernel (KVER >= V): FIX
#   # known issue ID: not reproduced on KVER, which is before V (fix backported?): FIX
# Run by ci/known-issues; everything else passes through unchanged.
#
# Variables: known    the data file
#            test     the test's name, tests/NAME
#            kver     the kernel release when the stream names none (native
#                     runs: uname -r); "# guest kernel: R" lines win
#            sysfs    where to read module parameters of a configuration
#                     the stream does not describe (native runs; default
#                     /sys/module)
#            summary  file to write "CONVERTED FAILING" to

function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }

function load(file,   l, k, v, n) {
	n = 0
	while ((getline l < file) > 0) {
		if (l ~ /^[ \t]*#/) continue
		if (l ~ /^[ \t]*$/) { started = 0; continue }
		if (!started) { n++; started = 1 }
		k = l; sub(/:.*/, "", k); k = trim(k)
		v = l; sub(/^[^:]*:/, "", v); v = trim(v)
		ki[n, k] = v
	}
	close(file)
	return n
}

# -1, 0, 1 as release a is before, the same as, after version b (numeric
# fields; "6.1.0-28-amd64" is 6.1.0).
function vercmp(a, b,   x, y, nx, ny, i, p, q) {
	sub(/[^0-9.].*/, "", a); sub(/[^0-9.].*/, "", b)
	nx = split(a, x, "."); ny = split(b, y, ".")
	for (i = 1; i <= (nx > ny ? nx : ny); i++) {
		p = (i <= nx) ? x[i] + 0 : 0; q = (i <= ny) ? y[i] + 0 : 0
		if (p != q) return p < q ? -1 : 1
	}
	return 0
}

# Value of module parameter "mod.param" in configuration c.
function param(c, mp,   f, v, m, p) {
	if ((c, mp) in cfgparam) return cfgparam[c, mp]
	if (c in described) return ""
	m = mp; sub(/\..*/, "", m); p = mp; sub(/^[^.]*\./, "", p)
	f = (sysfs != "" ? sysfs : "/sys/module") "/" m "/parameters/" p
	v = ""
	if ((getline v < f) > 0) close(f)
	return v
}

# Does entry i describe a point "desc" of configuration c?  (Version
# aside: that decides between XFAIL and "fixed".)
function matches(i, c, desc,   n, w, j, k, v) {
	if (ki[i, "test"] != "" && ki[i, "test"] != test) return 0
	if (desc !~ ki[i, "point"]) return 0
	if (ki[i, "configs"] != "" && c !~ ki[i, "configs"]) return 0
	n = split(ki[i, "when"], w, /[ \t]+/)
	for (j = 1; j <= n; j++) {
		if (w[j] == "") continue
		k = w[j]; sub(/=.*/, "", k); v = w[j]; sub(/^[^=]*=/, "", v)
		if (param(c, k) != v) return 0
	}
	return 1
}

function in_range(i) {
	if (kver == "") return 1
	if (ki[i, "since"] != "" && vercmp(kver, ki[i, "since"]) < 0) return 0
	if (ki[i, "fixed-in"] != "" && vercmp(kver, ki[i, "fixed-in"]) >= 0) return 0
	return 1
}

function flush_note() {
	if (note != "") print note
	note = ""
}

BEGIN {
	nki = load(known)
	if (nki == 0 && (getline junk < known) < 0) {
		print "known-issues: error: cannot read " known > "/dev/stderr"
		exit 99
	}
	converted = 0; failing = 0
}

{ sub(/\r$/, "") }

inyaml {
	print
	if ($0 ~ /^[ \t]+\.\.\.[ \t]*$/) inyaml = 0
	next
}
lastpoint && /^[ \t]+---[ \t]*$/ { inyaml = 1; print; next }
{ lastpoint = 0 }

/^# guest kernel: / { kver = $4 }
/^# \[[^]]+\] module parameters: / {
	c = substr($2, 2, length($2) - 2); described[c] = 1
	for (i = 5; i <= NF; i++) {
		k = $i; sub(/=.*/, "", k); v = $i; sub(/^[^=]*=/, "", v)
		cfgparam[c, k] = v
	}
}

/^(not )?ok([ \t]|$)/ {
	flush_note()
	lastpoint = 1
	line = $0
	ok = line !~ /^not/
	head = line; sub(/[ \t]*-[ \t].*$|[ \t]*#.*$/, "", head)
	rest = substr(line, length(head) + 1); sub(/^[ \t]*-?[ \t]*/, "", rest)
	# Points with a directive already (SKIP, TODO) are left alone.
	if (rest ~ /#[ \t]*([Ss][Kk][Ii][Pp]|[Tt][Oo][Dd][Oo])/) { print; next }
	c = ""
	desc = rest
	if (desc ~ /^\[[^]]+\]/) {
		c = substr(desc, 2, index(desc, "]") - 2)
		desc = substr(desc, index(desc, "]") + 1); sub(/^ /, "", desc)
	}
	for (i = 1; i <= nki; i++) {
		if (!matches(i, c, desc)) continue
		fixv = ki[i, "fixed-in"] != "" ? ki[i, "fixed-in"] : "?"
		subj = ki[i, "fix"]; gsub(/#/, "", subj)
		if (!ok && in_range(i)) {
			print line " # TODO known kernel bug: " subj " (fixed in " fixv "; " ki[i, "id"] ")"
			converted++
			next
		}
		if (ok && in_range(i))
			note = "# known issue " ki[i, "id"] ": not reproduced on " (kver != "" ? kver : "this kernel") \
			       ", which is before " fixv " (fix backported?): " subj
		else if (ok)
			note = "# known issue " ki[i, "id"] ": fixed on this kernel (" kver " >= " fixv "): " subj
		break
	}
	if (!ok) failing++
	print
	next
}
{ flush_note(); print }

END {
	flush_note()
	if (summary != "") print converted, failing > summary
}
