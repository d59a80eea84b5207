# SPDX-License-Identifier: GPL-2.0-only
#
# ci/matrix.awk: reads the test matrix (tests/tests.cfg, its syntax there)
# and answers from it.  Usage:
#     awk -v what=WHAT [-v test=NAME] [-v group="G ..."] \
#         -f ci/matrix.awk ci/configs tests/tests.cfg
# ci/configs comes first: every configuration the matrix names must be
# defined there.  WHAT:
#   check     nothing on stdout: the matrix is well formed
#   tests     the programs (tests/NAME), one a line, in the matrix's order;
#             with group= only those in one of the groups named
#   configs   test=NAME's configurations, one a line
#   cpus      test=NAME's vCPUs
#   machine   test=NAME's machine settings as --list-configs prints them
#             after its configurations: "cpus=N" (unless 1), "memory=MIB"
#             and "timeout=SECONDS" (when the stanza sets them)
#   groups    every group, one a line, in order of first use
#   c         lib/matrix.c, the table lib/kvm_test.c answers
#             --list-configs from
# An error is one "matrix: error: FILE:LINE: ..." line on stderr, exit 99
# (the exit-code table of ci/lib.sh).

function fail(msg) {
	printf "matrix: error: %s\n", msg >"/dev/stderr"
	failed = 1
	exit 99
}

function where() {
	return FILENAME ":" FNR
}

function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

# "a  b c" -> "a b c"
function words(s,    n, w, i, r) {
	n = split(s, w)
	r = ""
	for (i = 1; i <= n; i++)
		r = r (i > 1 ? " " : "") w[i]
	return r
}

function cstr(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	return "\"" s "\""
}

BEGIN {
	known["default"] = 1
	if (what !~ /^(check|tests|configs|cpus|machine|groups|c)$/)
		fail("what=" what ": one of check tests configs cpus machine groups c")
	if (what ~ /^(configs|cpus|machine)$/ && test == "")
		fail("what=" what " needs test=NAME")
}

# --- ci/configs: NAME module.param=value ... -------------------------------
FILENAME == ARGV[1] {
	if ($0 ~ /^[ \t]*(#|$)/)
		next
	known[$1] = 1
	next
}

# --- tests/tests.cfg --------------------------------------------------------
/^[ \t]*(#|$)/ { next }

/^[ \t]*\[/ {
	line = trim($0)
	if (line !~ /^\[[A-Za-z0-9_-]+\]$/)
		fail(where() ": a stanza opens with [NAME] (letters, digits, _ and -), not '" line "'")
	cur = substr(line, 2, length(line) - 2)
	if (cur in seen)
		fail(where() ": [" cur "] again (first at line " seen[cur] ")")
	seen[cur] = FNR
	order[++ntests] = cur
	cpus[cur] = 1
	next
}

{
	if (cur == "")
		fail(where() ": '" trim($0) "' outside a [NAME] stanza")
	eq = index($0, "=")
	if (!eq)
		fail(where() ": 'key = value' expected, not '" trim($0) "'")
	key = trim(substr($0, 1, eq - 1))
	val = words(substr($0, eq + 1))
	if ((cur, key) in set)
		fail(where() ": " key " set twice in [" cur "]")
	set[cur, key] = 1
	if (key == "configs") {
		n = split(val, w)
		if (!n)
			fail(where() ": [" cur "] configs is empty")
		for (i = 1; i <= n; i++) {
			if (!(w[i] in known))
				fail(where() ": [" cur "] configuration '" w[i] "' is not in " ARGV[1])
			for (j = 1; j < i; j++)
				if (w[j] == w[i])
					fail(where() ": [" cur "] configuration '" w[i] "' twice")
		}
		configs[cur] = val
	} else if (key == "groups") {
		n = split(val, w)
		if (!n)
			fail(where() ": [" cur "] groups is empty")
		for (i = 1; i <= n; i++) {
			if (w[i] !~ /^[a-z0-9][a-z0-9-]*$/)
				fail(where() ": [" cur "] bad group name '" w[i] "'")
			if (!(w[i] in gseen)) {
				gseen[w[i]] = 1
				gorder[++ngroups] = w[i]
			}
		}
		groups[cur] = val
	} else if (key == "cpus") {
		if (val !~ /^[1-8]$/)
			fail(where() ": [" cur "] cpus is 1 to 8, not '" val "'")
		cpus[cur] = val + 0
	} else if (key == "memory") {
		# MiB or GiB; QEMU's "-m" takes it, two such guests side by side
		# (make -j2) must fit a 24 GiB host.
		if (val !~ /^[1-9][0-9]*[MG]$/)
			fail(where() ": [" cur "] memory is a size like 1536M or 5G, not '" val "'")
		mem = substr(val, 1, length(val) - 1) * (val ~ /G$/ ? 1024 : 1)
		if (mem < 512 || mem > 8192)
			fail(where() ": [" cur "] memory is 512M to 8G, not '" val "'")
		memory[cur] = mem
	} else if (key == "timeout") {
		if (val !~ /^[1-9][0-9]*$/ || val + 0 < 30 || val + 0 > 3600)
			fail(where() ": [" cur "] timeout is 30 to 3600 seconds, not '" val "'")
		timeout[cur] = val + 0
	} else {
		fail(where() ": unknown key '" key "' (configs, groups, cpus, memory, timeout)")
	}
}

END {
	if (failed)
		exit 99
	for (t = 1; t <= ntests; t++) {
		n = order[t]
		if (!((n, "configs") in set))
			fail(FILENAME ": [" n "] has no configs")
		if (!((n, "groups") in set))
			fail(FILENAME ": [" n "] has no groups")
	}
	if (!ntests)
		fail(FILENAME ": no [NAME] stanza")
	if (what == "tests") {
		ng = split(group, want)
		for (g = 1; g <= ng; g++)
			if (!(want[g] in gseen))
				fail("no group '" want[g] "' in " FILENAME)
		for (t = 1; t <= ntests; t++) {
			n = order[t]
			ok = !ng
			for (g = 1; g <= ng && !ok; g++)
				ok = index(" " groups[n] " ", " " want[g] " ") > 0
			if (ok)
				print "tests/" n
		}
	} else if (what ~ /^(configs|cpus|machine)$/) {
		if (!(test in seen))
			fail("no test '" test "' in " FILENAME)
		if (what == "cpus") {
			print cpus[test]
		} else if (what == "machine") {
			if (cpus[test] != 1)
				print "cpus=" cpus[test]
			if (test in memory)
				print "memory=" memory[test]
			if (test in timeout)
				print "timeout=" timeout[test]
		} else {
			n = split(configs[test], w)
			for (i = 1; i <= n; i++)
				print w[i]
		}
	} else if (what == "groups") {
		for (g = 1; g <= ngroups; g++)
			print gorder[g]
	} else if (what == "c") {
		print "/* SPDX-License-Identifier: GPL-2.0-only */"
		print "/* Generated by ci/matrix.awk from tests/tests.cfg: edit that. */"
		print "#include \"matrix.h\""
		print ""
		print "const struct matrix_test matrix_tests[] = {"
		for (t = 1; t <= ntests; t++) {
			n = order[t]
			printf "\t{ .name = %s, .configs = %s, .groups = %s, .cpus = %d, .memory_mib = %d, .timeout = %d },\n",
				cstr(n), cstr(configs[n]), cstr(groups[n]), cpus[n],
				memory[n], timeout[n]
		}
		print "\t{ 0 }"
		print "};"
	}
}
