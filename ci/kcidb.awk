# SPDX-License-Identifier: GPL-2.0-only
#
# KCIDB v5 JSON (kcidb-io schema 5.0) from a report's points.tsv and
# env.tsv (ci/report.awk): one checkout and one build (the kernel under
# test), one test per point, path kvm_mmu.<test>.<config>.<point>, and
# for each kmem figure in a point's YAML a DONE test under it carrying
# the number (bytes, binary prefix).  Known kernel bugs become issues;
# each XFAIL point is an incident (present), each point a known bug's
# entry names that passed is one too (absent: fixed on this kernel).
#     awk -v env=ENV.tsv -v run=ID -v time=RFC3339 -v suite="VER COMMIT" \
#         [-v origin=NAME] [-v config_file=F -v config_sha=HEX] \
#         -f ci/kcidb.awk POINTS.tsv > kcidb.json
# Status: pass PASS, fail FAIL (harness trouble: ERROR when the test run
# broke, MISS when it never ran), skip SKIP, known FAIL + waived.

function unesc(s) {
	gsub(/\\\\/, "\001", s); gsub(/\\n/, "\n", s); gsub(/\\t/, "\t", s)
	gsub(/\001/, "\\", s)
	return s
}

# A JSON string literal; control characters as \uXXXX.
function js(s,   i) {
	gsub(/\\/, "\\\\\\\\", s); gsub(/"/, "\\\"", s)
	gsub(/\n/, "\\n", s); gsub(/\t/, "\\t", s); gsub(/\r/, "\\r", s)
	if (s ~ /[\001-\037]/)
		for (i = 1; i < 32; i++) gsub(ctl[i], sprintf("\\u%04x", i), s)
	return "\"" s "\""
}

# At most n bytes (the schema's maxLength counts characters: safe).
function cut(s, n) { return length(s) > n ? substr(s, 1, n - 40) "\n... (cut; see the TAP log)\n" : s }

# A test path component: [A-Za-z0-9_-]+.
function slug(s) {
	gsub(/[^A-Za-z0-9_-]+/, "_", s); sub(/^_+/, "", s); sub(/_+$/, "", s)
	return s == "" ? "_" : s
}

function obj_sep() { if (nobj++) printf ",\n"; else printf "\n" }

function test_obj(id, path, status, waived, comment, excerpt, cfg, misc, number) {
	obj_sep()
	printf "    {\"id\": %s, \"build_id\": %s, \"origin\": %s,\n", js(id), js(build), js(origin)
	printf "     \"path\": %s, \"status\": %s,", js(path), js(status)
	if (waived) printf " \"waived\": true,"
	printf " \"start_time\": %s,\n", js(time)
	printf "     \"comment\": %s,\n", js(cut(comment, 1000))
	if (excerpt != "") printf "     \"log_excerpt\": %s,\n", js(cut(excerpt, 16000))
	if (number != "") printf "     \"number\": %s,\n", number
	printf "     \"environment\": %s,\n", environment(cfg)
	printf "     \"misc\": {%s}}", misc
}

function environment(cfg,   intel, e, v, cpu) {
	intel = cfg ~ /^intel:/
	if (intel) { e = "Bochs"; v = envv["bochs"] }
	else if (envv["qemu"] != "") { e = "QEMU"; v = envv["qemu"] }
	else { e = "native"; v = "" }
	cpu = ""
	if (!intel && match(v, /cpu [^ ,;]+/)) cpu = substr(v, RSTART + 4, RLENGTH - 4)
	if (intel && match(v, /cpu [^,;]+/)) cpu = substr(v, RSTART + 4, RLENGTH - 4)
	return "{\"comment\": " js(e (v != "" ? ": " v : "")) \
	       ", \"misc\": {\"emulator\": " js(e) ", \"emulator_version\": " js(v) \
	       ", \"cpu_model\": " js(cpu) ", \"module_parameters\": " js(param[cfg]) \
	       ", \"kernel_release\": " js(envv["release"]) ", \"configuration\": " js(cfg) "}}"
}

BEGIN {
	FS = "\t"
	for (i = 1; i < 32; i++) ctl[i] = sprintf("%c", i)
	if (origin == "") origin = "kvm_mmu_tests"
	checkout = origin ":" run; build = origin ":" run
	while ((getline l < env) > 0) {
		n = split(l, f, "\t")
		if (f[1] == "param") param[f[2]] = f[3]
		else if (f[1] != "time") envv[f[1]] = f[2]
		# Intel points: their module parameters read "[intel:cfg]".
	}
	close(env)
	printf "{\n  \"version\": {\"major\": 5, \"minor\": 0},\n"
	printf "  \"checkouts\": [\n    {\"id\": %s, \"origin\": %s, \"valid\": true,\n", js(checkout), js(origin)
	printf "     \"start_time\": %s,\n", js(time)
	printf "     \"comment\": %s,\n", js("kernel under test: " (envv["kernel"] != "" ? envv["kernel"] : "native"))
	printf "     \"misc\": {\"kernel\": %s, \"kernel_release\": %s, \"test_suite\": %s}}\n  ],\n", \
	       js(envv["kernel"]), js(envv["release"]), js("kvm-mmu-tests " suite)
	printf "  \"builds\": [\n    {\"id\": %s, \"checkout_id\": %s, \"origin\": %s,\n", js(build), js(checkout), js(origin)
	printf "     \"architecture\": \"x86_64\", \"status\": \"PASS\", \"start_time\": %s,\n", js(time)
	printf "     \"comment\": %s,\n", js(envv["kernel"] != "" ? envv["kernel"] : "the running kernel")
	if (config_file != "") printf "     \"config_name\": %s,\n", js(config_file)
	printf "     \"misc\": {\"config_sha256\": %s}}\n  ],\n", js(config_sha)
	printf "  \"tests\": ["
	nobj = 0
}

{
	t = $1; cfg = $2; key = unesc($3); st = $4; desc = unesc($5)
	reason = unesc($6); diag = unesc($7); yaml = unesc($8)
	path = "kvm_mmu." slug(substr(t, index(t, "/") + 1)) "." slug(cfg) "." slug(key)
	if (path in used) path = path "_" NR
	used[path] = 1
	id = origin ":" run "." NR
	status = st == "pass" ? "PASS" : st == "skip" ? "SKIP" : "FAIL"
	if (st == "fail" && desc ~ /^(not run|setup): /) status = "MISS"
	else if (st == "fail" && desc ~ /^(test run: |timed out|crashed|Bail out)/) status = "ERROR"
	misc = "\"test_program\": " js(t) ", \"configuration\": " js(cfg) ", \"tap_description\": " js(desc)
	if (reason != "") misc = misc ", \"reason\": " js(reason)
	excerpt = (st == "pass") ? "" : diag
	test_obj(id, path, status, st == "known", desc, excerpt, cfg, misc, "")

	# Known bugs: an incident per XFAIL point, and per pass one names.
	if (st == "known" && match(reason, /; [^;()]+\)$/)) {
		kid = substr(reason, RSTART + 2, RLENGTH - 3)
		subj = reason; sub(/^known kernel bug: /, "", subj); sub(/ \(fixed in [^()]*\)$/, "", subj)
		incident(kid, subj, id, "true")
	}
	rest = diag
	while (match(rest, /known issue [^ :]+: [^\n]*/)) {
		line = substr(rest, RSTART, RLENGTH); rest = substr(rest, RSTART + RLENGTH)
		kid = line; sub(/^known issue /, "", kid); sub(/:.*/, "", kid)
		subj = line; sub(/^[^:]*: [^:]*: /, "", subj)
		incident(kid, subj, id, "false")
	}

	# kmem figures: "name: { median: V, ..." and "budget: V (...)".
	n = split(yaml, y, "\n")
	unit = ""
	for (i = 1; i <= n; i++) if (y[i] ~ /^unit: /) unit = substr(y[i], 7)
	for (i = 1; i <= n; i++) {
		fig = y[i]; v = ""
		if (fig ~ /^[A-Za-z0-9_]+: \{ median: -?[0-9]+/) {
			v = fig; sub(/^[^:]*: \{ median: /, "", v); sub(/[^-0-9].*/, "", v)
			what = "median of the rounds"
		} else if (fig ~ /^budget: [0-9]+/) {
			v = fig; sub(/^budget: /, "", v); sub(/[^0-9].*/, "", v)
			what = "budget"
		}
		if (v == "") continue
		name = fig; sub(/:.*/, "", name)
		test_obj(id "." i, path "." slug(name), "DONE", 0, name ": " what ", " unit, "", cfg,
			 "\"test_program\": " js(t) ", \"configuration\": " js(cfg) ", \"yaml\": " js(fig),
			 "{\"value\": " v ", \"unit\": \"B\", \"prefix\": \"binary\"}")
	}
}

function incident(kid, subj, tid, present) {
	if (!(kid in issue)) { issue[kid] = subj; issues[++nissues] = kid }
	inc[++ninc] = "    {\"id\": " js(tid ".incident") ", \"origin\": " js(origin) \
		", \"issue_id\": " js(origin ":" kid) ", \"issue_version\": 1" \
		", \"build_id\": " js(build) ", \"test_id\": " js(tid) ", \"present\": " present "}"
}

END {
	printf "\n  ],\n  \"issues\": ["
	for (i = 1; i <= nissues; i++)
		printf "%s\n    {\"id\": %s, \"version\": 1, \"origin\": %s, \"report_subject\": %s,\n     \"comment\": %s, \"culprit\": {\"code\": true, \"tool\": false, \"harness\": false}}", \
		       (i > 1 ? "," : ""), js(origin ":" issues[i]), js(origin), js(issue[issues[i]]),
		       js("known kernel bug " issues[i] " (tests/known-issues); upstream fix: " issue[issues[i]])
	printf "\n  ],\n  \"incidents\": ["
	for (i = 1; i <= ninc; i++) printf "%s\n%s", (i > 1 ? "," : ""), inc[i]
	printf "\n  ]\n}\n"
}
