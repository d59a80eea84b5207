/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host half of guest -> host calls (abi/ucall_msg.h).
 */
#ifndef KMT_UCALL_H
#define KMT_UCALL_H

#include "abi/ucall_msg.h"
#include "kvm.h"

/*
 * Host-only: vcpu_run_to_ucall()'s answer when the vCPU watchdog kicked
 * the vCPU out of KVM_RUN (lib/watchdog.h); ucall_format() gives its
 * report.
 */
#define UCALL_HANG	UCALL_NR_CMDS
/*
 * Not a ucall either: a KVM_EXIT_MMIO that __vcpu_run() did not serve,
 * at a GPA outside the MMIO RAM or inside a memslot (KVM emulated an
 * access no guest table leads to, or took memory for MMIO); the text
 * says where.  The run that meets it fails, shrinkable.
 */
#define UCALL_STRAY_MMIO	(UCALL_NR_CMDS + 1)

/* If @run is a ucall exit, stores the struct ucall's GPA and returns true. */
bool ucall_decode_io(const struct kvm_run *run, u64 *gpa);

/* Copies the ucall of the vCPU's last exit; returns UCALL_NONE if none. */
u32 vcpu_get_ucall(struct kvm_vcpu *vcpu, struct ucall *uc);

/*
 * Runs @vcpu until it makes a ucall other than UCALL_PRINT (those are
 * printed as TAP diagnostics) and returns the command, UCALL_HANG or
 * UCALL_STRAY_MMIO.  Any other exit that is not a ucall fails the test
 * with the exit reason and the vCPU state.
 */
u32 vcpu_run_to_ucall(struct kvm_vcpu *vcpu, struct ucall *uc);

/*
 * Describes a guest assertion or unexpected exception for a failure
 * message, including the reference walk of CR2 for a #PF.
 */
void ucall_format(struct kvm_vcpu *vcpu, const struct ucall *uc, char *buf,
		  size_t size);

#endif
