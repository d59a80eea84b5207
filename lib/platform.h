/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * "Is this a KVM we can trust?"  Only /dev/kvm backed by kvm_intel or
 * kvm_amd runs guest paging the way the tests need; anything else (no
 * /dev/kvm, or a paravirtual backend such as kvm_pvm, which ignores guest
 * paging) makes every KVM test SKIP with the reason, so that nothing run on
 * it is ever reported as a pass.
 */
#ifndef KMT_PLATFORM_H
#define KMT_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>

enum kvm_vendor {
	KVM_VENDOR_NONE,
	KVM_VENDOR_INTEL,
	KVM_VENDOR_AMD,
};

struct kvm_platform {
	enum kvm_vendor vendor;
	const char *module;	/* "kvm_intel" / "kvm_amd" */
	bool tdp;		/* ept=Y / npt=Y */
	bool tdp_mmu;		/* kvm.tdp_mmu=Y */
	bool nested;
	bool eager_split;	/* kvm.eager_page_split=Y */
	char reason[256];	/* why the platform is not trusted */
};

/* Fills @p; returns true when KVM tests may run.  @sysfs is "/sys" or a
 * fake tree for unit tests; @dev_kvm "/dev/kvm". */
bool platform_probe_at(struct kvm_platform *p, const char *sysfs,
		       const char *dev_kvm);
bool platform_probe(struct kvm_platform *p);

/* SKIPs the whole test (exit 77) unless the platform is trusted. */
void platform_require_kvm(struct kvm_platform *p);
/* The platform platform_require_kvm() accepted (a fact of the process). */
const struct kvm_platform *platform(void);

/* Reads /sys/module/@module/parameters/@param; false if absent. */
bool module_param_read(const char *sysfs, const char *module,
		       const char *param, char *buf, size_t size);
/* A boolean module parameter: Y, y or 1 is true; absent is false. */
bool kvm_param_bool(const char *module, const char *param);

/*
 * Which MMU builds the second-level tables: "shadow" (npt=0/ept=0), "tdp"
 * (the TDP MMU), "tdp-legacy" (TDP by the shadow MMU, tdp_mmu=N), with a
 * "vmx-" prefix on Intel, whose figures differ (the kmem budgets' keys).
 * Returns @buf.
 */
const char *platform_mmu_flavour(const struct kvm_platform *p, char *buf,
				 size_t size);

/* One line naming kernel release, backend and MMU parameters. */
void platform_describe(const struct kvm_platform *p, char *buf, size_t size);

#endif
