/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The per-vCPU area at LAYOUT_PERCPU + id * LAYOUT_PERCPU_SIZE.  The host
 * points the guest's GS base at it, so guest code reaches it with %gs
 * relative accesses in both 32-bit and 64-bit mode; the rest of the 16 KiB
 * is the vCPU's stack.
 */
#ifndef KMT_ABI_PERCPU_H
#define KMT_ABI_PERCPU_H

#include "types.h"
#include "ucall_msg.h"

#define GUEST_NR_ARGS		8
#define FAULT_NONE		0xffffffffU

/* An exception taken by a "safe" access, reported as a value. */
struct fault_info {
	u32 vector;		/* FAULT_NONE when the access completed */
	u32 error_code;
	u64 cr2;
};

struct guest_percpu {
	u64 self;		/* guest address of this struct */
	u64 fixup;		/* resume address for the armed safe access */
	u32 vcpu_id;
	u32 paging_mode;	/* enum paging_mode, see lib/paging.h */
	struct fault_info fault;
	u64 args[GUEST_NR_ARGS];	/* test arguments from the host */
	struct ucall uc;
	u64 user_sp;		/* ring-0 stack to return to from user mode */
	u32 user_active;	/* a user-mode access is running */
	/*
	 * Units of work done (ops of a script, pages of the memory worker),
	 * for the host's vCPU watchdog (lib/watchdog.h): a vCPU inside
	 * KVM_RUN whose count stands still is not making progress.
	 */
	u32 progress;
};

/* A store the compiler may neither drop nor batch across a loop. */
#define GUEST_PROGRESS(pc, v)	(*(volatile u32 *)&(pc)->progress = (v))

#define PERCPU_OFF_FIXUP	8
#define PERCPU_OFF_FAULT	24

KMT_STATIC_ASSERT(offsetof(struct guest_percpu, fixup) == PERCPU_OFF_FIXUP);
KMT_STATIC_ASSERT(offsetof(struct guest_percpu, fault) == PERCPU_OFF_FAULT);
#define PERCPU_OFF_USER_SP	480
KMT_STATIC_ASSERT(offsetof(struct guest_percpu, user_sp) == PERCPU_OFF_USER_SP);


#endif
