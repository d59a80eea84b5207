/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Nested SVM, the host's half (lib/nested.h is the interface): the VMCB,
 * host save area, I/O and MSR permission maps of an L2 guest, in L1's
 * memory, for guest_code/l1_svm.c.
 */
#ifndef KMT_NESTED_SVM_H
#define KMT_NESTED_SVM_H

#include "abi/svm.h"

/* Guest physical addresses in L1's memory. */
struct svm_l2 {
	u64 vmcb, hsave, iopm, msrpm;
};

#endif
