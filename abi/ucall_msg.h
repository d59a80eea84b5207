/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest -> host calls.  The guest fills a struct ucall in its per-vCPU area
 * and writes its (identity mapped) address with a 32-bit OUT to UCALL_PORT;
 * the host finds the address in the I/O exit data, so no register read is
 * needed per call.
 */
#ifndef KMT_ABI_UCALL_MSG_H
#define KMT_ABI_UCALL_MSG_H

#include "types.h"

enum ucall_cmd {
	UCALL_NONE,
	UCALL_SYNC,		/* args[0..]: test-defined values */
	UCALL_DONE,		/* guest finished */
	UCALL_ASSERT,		/* file, line, text; args: the compared values */
	UCALL_PRINT,		/* text */
	UCALL_EXCEPTION,	/* args: vector, error code, cr2, rip */
	UCALL_NR_CMDS,
};

#define UCALL_NR_ARGS		6
#define UCALL_FILE_LEN		64
#define UCALL_TEXT_LEN		256

struct ucall {
	u32 cmd;
	u32 line;
	u64 args[UCALL_NR_ARGS];
	char file[UCALL_FILE_LEN];
	char text[UCALL_TEXT_LEN];
};

/* The four args of UCALL_EXCEPTION. */
enum {
	UCALL_EXC_VECTOR,
	UCALL_EXC_ERROR_CODE,
	UCALL_EXC_CR2,
	UCALL_EXC_RIP,
};

#endif
