/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The test matrix (tests/tests.cfg), compiled in: lib/matrix.c is made
 * from it by ci/matrix.awk at build time, so that a static test binary in
 * the harness's initramfs (or a LAVA ramdisk) answers --list-configs
 * from the matrix with no file to read.  A test program finds its own
 * stanza by the name it runs under (tests/NAME, /kmt/bin/NAME).
 */
#ifndef KMT_MATRIX_H
#define KMT_MATRIX_H

struct matrix_test {
	const char *name;	/* [NAME]: the program tests/NAME */
	const char *configs;	/* ci/configs names, space-separated */
	const char *groups;	/* ci/run -g words, space-separated */
	unsigned int cpus;	/* the harness guest's vCPUs */
	unsigned int memory_mib;	/* its RAM; 0: the machine's default */
	/*
	 * Seconds the guest may stay silent in QEMU (ci/vm-run --timeout,
	 * scaled for slower emulators); 0: the harness's default.
	 */
	unsigned int timeout;
};

/* Ends with an entry whose name is NULL. */
extern const struct matrix_test matrix_tests[];

/* The stanza of the program at PATH (its last component), or NULL. */
const struct matrix_test *matrix_find(const char *path);

#endif
