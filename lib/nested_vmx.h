/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Nested VMX, the host's half (lib/nested.h is the interface): the VMXON
 * region, the VMCS (as the list of field values L1 VMWRITEs) of an L2
 * guest, in L1's memory, for guest_code/l1_vmx.c.  L2 runs as an
 * unrestricted guest with EPT; EPT accessed/dirty flags are enabled when
 * L1 has them, as NPT always has.
 */
#ifndef KMT_NESTED_VMX_H
#define KMT_NESTED_VMX_H

#include <stdbool.h>

#include "abi/vmx.h"

struct vmx_l2 {
	u64 vmxon, vmcs, fields; /* guest physical addresses in L1's memory */
	u64 ept_caps;		/* IA32_VMX_EPT_VPID_CAP as L1 sees it */
	bool launched;		/* the full field list has been written */
};

#endif
