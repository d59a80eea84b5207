// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "platform.h"
#include "tap.h"
#include "test_util.h"

bool module_param_read(const char *sysfs, const char *module,
		       const char *param, char *buf, size_t size)
{
	char path[512];
	size_t n;
	FILE *f;

	if (!size)
		return false;
	snprintf(path, sizeof(path), "%s/module/%s/parameters/%s", sysfs,
		 module, param);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return true;
}

static bool module_loaded(const char *sysfs, const char *module)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/module/%s", sysfs, module);
	return stat(path, &st) == 0;
}

static bool param_is_true(const char *sysfs, const char *module,
			  const char *param)
{
	char v[16];

	if (!module_param_read(sysfs, module, param, v, sizeof(v)))
		return false;
	return v[0] == 'Y' || v[0] == 'y' || v[0] == '1';
}

bool kvm_param_bool(const char *module, const char *param)
{
	return param_is_true("/sys", module, param);
}

const char *platform_mmu_flavour(const struct kvm_platform *p, char *buf,
				 size_t size)
{
	const char *f = !p->tdp ? "shadow" : p->tdp_mmu ? "tdp" : "tdp-legacy";

	snprintf(buf, size, "%s%s", p->vendor == KVM_VENDOR_INTEL ? "vmx-" : "", f);
	return buf;
}

bool platform_probe_at(struct kvm_platform *p, const char *sysfs,
		       const char *dev_kvm)
{
	int fd;

	memset(p, 0, sizeof(*p));
	if (module_loaded(sysfs, "kvm_intel")) {
		p->vendor = KVM_VENDOR_INTEL;
		p->module = "kvm_intel";
		p->tdp = param_is_true(sysfs, p->module, "ept");
	} else if (module_loaded(sysfs, "kvm_amd")) {
		p->vendor = KVM_VENDOR_AMD;
		p->module = "kvm_amd";
		p->tdp = param_is_true(sysfs, p->module, "npt");
	} else if (module_loaded(sysfs, "kvm_pvm")) {
		snprintf(p->reason, sizeof(p->reason),
			 "/dev/kvm is backed by kvm_pvm (paravirtual KVM), which does not run guest paging faithfully; results would say nothing about the KVM MMU (run through the QEMU harness: make check-vm)");
		return false;
	} else {
		snprintf(p->reason, sizeof(p->reason),
			 "no kvm_intel or kvm_amd module backs %s", dev_kvm);
		return false;
	}
	p->tdp_mmu = p->tdp && param_is_true(sysfs, "kvm", "tdp_mmu");
	p->nested = param_is_true(sysfs, p->module, "nested");
	p->eager_split = param_is_true(sysfs, "kvm", "eager_page_split");
	fd = open(dev_kvm, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(p->reason, sizeof(p->reason), "cannot open %s: %s",
			 dev_kvm, strerror(errno));
		p->vendor = KVM_VENDOR_NONE;
		p->module = NULL;
		p->tdp = p->tdp_mmu = p->nested = p->eager_split = false;
		return false;
	}
	close(fd);
	return true;
}

bool platform_probe(struct kvm_platform *p)
{
	return platform_probe_at(p, "/sys", "/dev/kvm");
}

static const struct kvm_platform *probed;

const struct kvm_platform *platform(void)
{
	TEST_ASSERT(probed, "platform() before platform_require_kvm()");
	return probed;
}

void platform_require_kvm(struct kvm_platform *p)
{
	char line[512];

	if (!platform_probe(p))
		tap_skip_all("%s", p->reason);
	probed = p;
	platform_describe(p, line, sizeof(line));
	tap_diag("%s", line);
}

void platform_describe(const struct kvm_platform *p, char *buf, size_t size)
{
	struct utsname u;

	if (uname(&u))
		strcpy(u.release, "?");
	snprintf(buf, size,
		 "kernel %s, %s, tdp=%s tdp_mmu=%s nested=%s eager_page_split=%s, config %s",
		 u.release, p->module ? p->module : "none",
		 p->tdp ? "Y" : "N", p->tdp_mmu ? "Y" : "N",
		 p->nested ? "Y" : "N", p->eager_split ? "Y" : "N",
		 getenv("KMT_CONFIG") ? getenv("KMT_CONFIG") : "native");
}
