# SPDX-License-Identifier: GPL-2.0-only
#
# Validate a KCIDB report against the kcidb-io v5 schema (major 5, minor
# 0..3), written from its published field list: every object's allowed
# and required properties, types, enums, patterns (origins, ids, test
# paths, commit hashes, URLs, resource names), date-time strings and
# maxLength 16384 of log excerpts; plus what the schema leaves to the
# database but a report of ours must get right: ids unique, and every
# build, test and incident linked to objects present in the file.
#     awk -f ci/kcidb-check.awk FILE.json
# Prints "kcidb-check: FILE: N checkouts, N builds, N tests, ... valid",
# or one "kcidb-check: error: WHERE: WHY" per problem and exits 1.
# Needs no network and nothing but awk: a JSON parser is included (one
# token never spans lines in JSON: strings cannot hold raw newlines).

function err(where, why) {
	if (nerr++ < 50) printf "kcidb-check: error: %s: %s\n", where, why > "/dev/stderr"
}

# ---- tokenizer ------------------------------------------------------------
function tokenize(line,   m) {
	while (line != "") {
		if (match(line, /^[ \t\r]+/)) { line = substr(line, RLENGTH + 1); continue }
		if (match(line, /^"([^"\\\001-\037]|\\["\\\/bfnrt]|\\u[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F])*"/)) {
			tk[++nt] = "s"; tv[nt] = substr(line, 2, RLENGTH - 2)
		} else if (match(line, /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) {
			tk[++nt] = "n"; tv[nt] = substr(line, 1, RLENGTH)
		} else if (match(line, /^(true|false|null)/)) {
			tk[++nt] = substr(line, 1, RLENGTH); tv[nt] = tk[nt]
		} else if (match(line, /^[][{}:,]/)) {
			tk[++nt] = substr(line, 1, 1)
		} else {
			err("line " NR, "not JSON near: " substr(line, 1, 40))
			return
		}
		tl[nt] = NR
		line = substr(line, RLENGTH + 1)
	}
}

# The decoded string (\uXXXX as one "?": lengths and patterns only).
function decode(s) {
	gsub(/\\\\/, "\001", s)
	gsub(/\\u[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]/, "?", s)
	gsub(/\\n/, "\n", s); gsub(/\\t/, "\t", s); gsub(/\\r/, "\r", s)
	gsub(/\\[bf]/, "?", s); gsub(/\\"/, "\"", s); gsub(/\\\//, "/", s)
	gsub(/\001/, "\\", s)
	return s
}

# ---- parser: value at token p into type[path], val[path], keys -------------
function value(path,   t, k, n) {
	if (p > nt) { err(path, "unexpected end of input"); return }
	t = tk[p]
	if (t == "{") {
		type[path] = "object"; keys[path] = ""; p++
		if (tk[p] == "}") { p++; return }
		for (;;) {
			if (tk[p] != "s") { err(path, "expected a property name (line " tl[p] ")"); p = nt + 1; return }
			k = decode(tv[p]); p++
			if ((path, k) in haskey) err(path, "duplicate property \"" k "\"")
			haskey[path, k] = 1; keys[path] = keys[path] SUBSEP k
			if (tk[p] != ":") { err(path, "expected ':' (line " tl[p] ")"); p = nt + 1; return }
			p++
			value(path "." k)
			if (tk[p] == ",") { p++; continue }
			if (tk[p] == "}") { p++; return }
			err(path, "expected ',' or '}' (line " tl[p] ")"); p = nt + 1; return
		}
	}
	if (t == "[") {
		type[path] = "array"; n = 0; p++
		if (tk[p] == "]") { p++; len[path] = 0; return }
		for (;;) {
			value(path "[" n "]"); n++
			if (tk[p] == ",") { p++; continue }
			if (tk[p] == "]") { p++; len[path] = n; return }
			err(path, "expected ',' or ']' (line " tl[p] ")"); len[path] = n; p = nt + 1; return
		}
	}
	if (t == "s") { type[path] = "string"; val[path] = decode(tv[p]); p++; return }
	if (t == "n") { type[path] = "number"; val[path] = tv[p]; p++; return }
	if (t == "true" || t == "false") { type[path] = "boolean"; val[path] = t; p++; return }
	if (t == "null") { type[path] = "null"; p++; return }
	err(path, "unexpected '" t "' (line " tl[p] ")"); p = nt + 1
}

# ---- schema helpers -----------------------------------------------------------
# Properties of path must be among the space-separated allowed; required
# ones present.
function props(path, allowed, required,   n, a, i, k, ok, list) {
	if (type[path] != "object") { err(path, "must be an object, is " tname(path)); return 0 }
	split(allowed, a, " "); for (i in a) ok[a[i]] = 1
	n = split(substr(keys[path], 2), list, SUBSEP)
	for (i = 1; i <= n; i++)
		if (!(list[i] in ok)) err(path, "property \"" list[i] "\" is not in the schema")
	n = split(required, a, " ")
	for (i = 1; i <= n; i++)
		if (!((path, a[i]) in haskey)) err(path, "required property \"" a[i] "\" missing")
	return 1
}

function tname(path) { return (path in type) ? type[path] : "missing" }
function has(path) { return path in type }

function want(path, t) {
	if (!has(path)) return 0
	if (type[path] != t) { err(path, "must be a " t ", is " tname(path)); return 0 }
	return 1
}

function str(path, re, what) {
	if (!want(path, "string")) return
	if (re != "" && val[path] !~ re) err(path, "\"" substr(val[path], 1, 60) "\" does not match " what)
}

function integer(path, lo, hi) {
	if (!want(path, "number")) return
	if (val[path] !~ /^-?[0-9]+$/) { err(path, "must be an integer"); return }
	if (lo != "" && val[path] + 0 < lo + 0) err(path, "must be >= " lo)
	if (hi != "" && val[path] + 0 > hi + 0) err(path, "must be <= " hi)
}

function excerpt(path) {
	if (!want(path, "string")) return
	if (length(val[path]) > 16384) err(path, "longer than 16384 characters")
}

function datetime(path) { str(path, DATETIME, "RFC 3339 date-time") }
function uri(path) { str(path, URI, "a URI") }
function bool(path) { want(path, "boolean") }
function object(path) { want(path, "object") }

function strings(path, re, what,   i) {
	if (!want(path, "array")) return
	for (i = 0; i < len[path]; i++) str(path "[" i "]", re, what)
}

function resources(path,   i, r) {
	if (!want(path, "array")) return
	for (i = 0; i < len[path]; i++) {
		r = path "[" i "]"
		if (!props(r, "name url", "name url")) continue
		str(r ".name", "^[^/]+$", "a file name (no '/')")
		uri(r ".url")
	}
}

function status(path) {
	if (!want(path, "string")) return
	if (val[path] !~ /^(FAIL|ERROR|MISS|PASS|DONE|SKIP)$/)
		err(path, "\"" val[path] "\" is not FAIL, ERROR, MISS, PASS, DONE or SKIP")
}

function list(path,   ok) {
	if (!has(path)) return 0
	if (type[path] != "array") { err(path, "must be an array"); return 0 }
	return len[path]
}

function unique(kind, path,   id) {
	if (type[path] != "string") return
	id = val[path]
	if ((kind, id) in ids) err(path, kind " id \"" id "\" used twice")
	ids[kind, id] = 1
}

function link(kind, path) {
	if (type[path] == "string" && !((kind, val[path]) in ids))
		err(path, "no " kind " \"" val[path] "\" in this report")
}

# ---- the schema ---------------------------------------------------------------
function checkout(c) {
	if (!props(c, "_timestamp id origin tree_name git_repository_url git_commit_hash " \
		   "git_commit_name git_commit_tags git_commit_message git_repository_branch " \
		   "git_repository_branch_tip patchset_files patchset_hash message_id comment " \
		   "start_time log_url log_excerpt valid misc", "id origin")) return
	datetime(c "._timestamp"); str(c ".id", ORIGIN_ID, "origin:id"); str(c ".origin", ORIGIN, "an origin name")
	str(c ".tree_name"); str(c ".git_repository_url", "^(https|git)://", "an https:// or git:// URL")
	str(c ".git_commit_hash", SHA1, "a full sha1 commit hash"); str(c ".git_commit_name")
	strings(c ".git_commit_tags"); str(c ".git_commit_message"); str(c ".git_repository_branch")
	bool(c ".git_repository_branch_tip"); resources(c ".patchset_files")
	str(c ".patchset_hash", "^$|" SHA256, "a sha256 hash or empty")
	str(c ".message_id", "^[^@ ]+@[^@ ]+$", "an e-mail Message-ID"); str(c ".comment")
	datetime(c ".start_time"); uri(c ".log_url"); excerpt(c ".log_excerpt")
	bool(c ".valid"); object(c ".misc")
	unique("checkout", c ".id")
}

function build(b) {
	if (!props(b, "_timestamp checkout_id id origin comment start_time duration architecture " \
		   "command compiler input_files output_files config_name config_url log_url " \
		   "log_excerpt status misc", "checkout_id id origin")) return
	datetime(b "._timestamp"); str(b ".checkout_id", ORIGIN_ID, "origin:id")
	str(b ".id", ORIGIN_ID, "origin:id"); str(b ".origin", ORIGIN, "an origin name")
	str(b ".comment"); datetime(b ".start_time"); want(b ".duration", "number")
	str(b ".architecture", "^[a-z0-9_]*$", "an architecture name"); str(b ".command")
	str(b ".compiler"); resources(b ".input_files"); resources(b ".output_files")
	str(b ".config_name"); uri(b ".config_url"); uri(b ".log_url"); excerpt(b ".log_excerpt")
	status(b ".status"); object(b ".misc")
	unique("build", b ".id")
}

function test(t) {
	if (!props(t, "_timestamp build_id id origin environment path comment log_url " \
		   "log_excerpt status number waived start_time duration output_files misc",
		   "build_id id origin")) return
	datetime(t "._timestamp"); str(t ".build_id", ORIGIN_ID, "origin:id")
	str(t ".id", ORIGIN_ID, "origin:id"); str(t ".origin", ORIGIN, "an origin name")
	if (has(t ".environment") && props(t ".environment", "compatible comment misc", "")) {
		strings(t ".environment.compatible", "^[^ ]+(,[^ ]+)*$", "a device-tree compatible")
		str(t ".environment.comment"); object(t ".environment.misc")
	}
	str(t ".path", "^([a-zA-Z0-9_-]+(\\.[a-zA-Z0-9_-]+)*)?$", "a dot-separated test path")
	str(t ".comment"); uri(t ".log_url"); excerpt(t ".log_excerpt"); status(t ".status")
	if (has(t ".number") && props(t ".number", "value unit prefix", "value")) {
		want(t ".number.value", "number"); str(t ".number.unit")
		str(t ".number.prefix", "^(metric|binary)$", "metric or binary")
	}
	bool(t ".waived"); datetime(t ".start_time"); want(t ".duration", "number")
	resources(t ".output_files"); object(t ".misc")
	unique("test", t ".id")
}

function issue(i) {
	if (!props(i, "_timestamp id version origin report_url report_subject culprit comment misc",
		   "id version origin")) return
	datetime(i "._timestamp"); str(i ".id", ORIGIN_ID, "origin:id"); integer(i ".version", 0, "")
	str(i ".origin", ORIGIN, "an origin name"); uri(i ".report_url"); str(i ".report_subject")
	if (has(i ".culprit") && props(i ".culprit", "code tool harness", "")) {
		bool(i ".culprit.code"); bool(i ".culprit.tool"); bool(i ".culprit.harness")
	}
	str(i ".comment"); object(i ".misc")
	unique("issue", i ".id")
}

function incident(x) {
	if (!props(x, "_timestamp id origin issue_id issue_version build_id test_id present comment misc",
		   "id origin issue_id issue_version")) return
	datetime(x "._timestamp"); str(x ".id", ORIGIN_ID, "origin:id"); str(x ".origin", ORIGIN, "an origin name")
	str(x ".issue_id", ORIGIN_ID, "origin:id"); integer(x ".issue_version", 0, "")
	str(x ".build_id", ORIGIN_ID, "origin:id"); str(x ".test_id", ORIGIN_ID, "origin:id")
	bool(x ".present"); str(x ".comment"); object(x ".misc")
	unique("incident", x ".id")
}

BEGIN {
	ORIGIN = "^[a-z0-9_]+$"; ORIGIN_ID = "^[a-z0-9_]+:"
	SHA1 = "^"; for (i = 0; i < 40; i++) SHA1 = SHA1 "[0-9a-f]"; SHA1 = SHA1 "$"
	SHA256 = "^"; for (i = 0; i < 64; i++) SHA256 = SHA256 "[0-9a-f]"; SHA256 = SHA256 "$"
	D2 = "[0-9][0-9]"
	DATETIME = "^" D2 D2 "-" D2 "-" D2 "[Tt ]" D2 ":" D2 ":" D2 "(\\.[0-9]+)?([Zz]|[-+]" D2 ":" D2 ")$"
	URI = "^[A-Za-z][A-Za-z0-9+.-]*:[^ \t\n]*$"
}

{ tokenize($0) }

END {
	if (NR == 0) err(FILENAME, "empty input")
	p = 1
	if (!nerr) value("$")
	if (!nerr && p <= nt) err("line " tl[p], "text after the JSON value")
	if (!nerr && props("$", "version checkouts builds tests issues incidents", "version")) {
		if (props("$.version", "major minor", "major")) {
			integer("$.version.major", 5, 5); integer("$.version.minor", 0, 3)
		}
		nc = list("$.checkouts"); nb = list("$.builds"); ntst = list("$.tests")
		ni = list("$.issues"); nx = list("$.incidents")
		for (i = 0; i < nc; i++) checkout("$.checkouts[" i "]")
		for (i = 0; i < nb; i++) build("$.builds[" i "]")
		for (i = 0; i < ntst; i++) test("$.tests[" i "]")
		for (i = 0; i < ni; i++) issue("$.issues[" i "]")
		for (i = 0; i < nx; i++) incident("$.incidents[" i "]")
		for (i = 0; i < nb; i++) link("checkout", "$.builds[" i "].checkout_id")
		for (i = 0; i < ntst; i++) link("build", "$.tests[" i "].build_id")
		for (i = 0; i < nx; i++) {
			link("issue", "$.incidents[" i "].issue_id")
			if (has("$.incidents[" i "].test_id")) link("test", "$.incidents[" i "].test_id")
			if (has("$.incidents[" i "].build_id")) link("build", "$.incidents[" i "].build_id")
		}
	}
	if (nerr) {
		if (nerr > 50) printf "kcidb-check: error: ... %d problems in all\n", nerr > "/dev/stderr"
		exit 1
	}
	printf "kcidb-check: %s: %d checkouts, %d builds, %d tests, %d issues, %d incidents: valid KCIDB v5\n",
	       FILENAME, nc, nb, ntst, ni, nx
}
