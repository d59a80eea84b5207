/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VM and vCPU lifecycle over /dev/kvm, memslots and the dirty log.
 *
 * Paired verbs: __thing() returns the ioctl's result (errno preserved),
 * thing() asserts it succeeded, naming the ioctl, the errno text and
 * whether KVM has killed the VM.
 */
#ifndef KMT_KVM_H
#define KMT_KVM_H

#include <linux/kvm.h>

#include "abi/image.h"
#include "abi/layout.h"
#include "abi/types.h"
#include "mem.h"
#include "paging.h"
#include "watchdog.h"

#define KVM_MAX_TEST_SLOTS	8

struct kvm_vcpu {
	struct kvm_vm *vm;
	u32 id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	struct vcpu_watch watch;
	char hang_report[2048];	/* the watchdog's, after ETIMEDOUT */
};

struct kvm_memslot {
	bool used;
	u32 slot;
	u32 flags;
	u64 gpa;
	struct mem_region mem;
};

/*
 * Guest-physical memory no memslot backs, served by the test: every
 * guest access there is KVM's MMIO path (an MMIO spte, the emulator and
 * its walk of the guest's tables) ending in KVM_EXIT_MMIO, which
 * __vcpu_run() answers from @buf as if it were RAM and runs on.
 */
struct kvm_mmio_ram {
	u64 gpa, size;		/* size 0: none */
	u8 *buf;
	u64 reads, writes;	/* the exits served */
};

struct kvm_vm {
	int kvm_fd;
	int fd;
	struct kvm_memslot slots[KVM_MAX_TEST_SLOTS];
	struct kvm_mmio_ram mmio;
	struct kvm_vcpu *vcpus[LAYOUT_MAX_VCPUS];

	/*
	 * The guest environment: vm_create_guest() (guest.h) sets it up,
	 * vm_create_bare() leaves it zero (no paging, no layout).
	 */
	enum paging_mode mode;
	struct pgtable pt;
	struct guest_image_header image;
	u64 pt_pool_next;
	u64 arena_next;
};

/* Checked ioctls; @name is the ioctl's name for the failure message. */
long __kvm_ioctl(int fd, unsigned long cmd, void *arg);
long kvm_ioctl_checked(struct kvm_vm *vm, int fd, unsigned long cmd,
		       const char *name, void *arg, const char *file,
		       int line);
#define vm_ioctl(vm, cmd, arg)						\
	kvm_ioctl_checked((vm), (vm)->fd, (cmd), #cmd, (arg), __FILE__, __LINE__)
#define vcpu_ioctl(vcpu, cmd, arg)					\
	kvm_ioctl_checked((vcpu)->vm, (vcpu)->fd, (cmd), #cmd, (arg),	\
			  __FILE__, __LINE__)

int kvm_check_cap(long cap);
/* Opens /dev/kvm (asserts it can); the caller closes it. */
int kvm_open(void);
/* KVM_GET_SUPPORTED_CPUID on @kvm_fd (/dev/kvm), however many entries; free() it. */
struct kvm_cpuid2 *kvm_get_supported_cpuid(int kvm_fd);

struct kvm_vm *vm_create_bare(void);
void vm_destroy(struct kvm_vm *vm);
void vm_enable_cap(struct kvm_vm *vm, u32 cap, u64 arg0);

/* Memslots.  @why receives the SKIP reason when the backing is missing. */
int __vm_add_memslot(struct kvm_vm *vm, u32 slot, u64 gpa, u64 size,
		     enum mem_backing backing, u32 flags, char *why,
		     size_t why_size);
/*
 * The same with the slot's memory starting @host_offset bytes into its
 * backing (allocated in whole pages of the backing): an offset of @gpa
 * modulo the huge page size keeps guest physical and host virtual
 * addresses congruent, so KVM can map huge pages inside a slot at an
 * unaligned @gpa.
 */
int __vm_add_memslot_at(struct kvm_vm *vm, u32 slot, u64 gpa, u64 size,
			u64 host_offset, enum mem_backing backing, u32 flags,
			char *why, size_t why_size);
void vm_add_memslot(struct kvm_vm *vm, u32 slot, u64 gpa, u64 size,
		    enum mem_backing backing, u32 flags);
void vm_set_memslot_flags(struct kvm_vm *vm, u32 slot, u32 flags);
void vm_delete_memslot(struct kvm_vm *vm, u32 slot);
struct kvm_memslot *vm_memslot(struct kvm_vm *vm, u32 slot);

/*
 * The host address of guest-physical @gpa: in a memslot, or in the MMIO
 * RAM (vm_add_mmio_ram()); NULL, or an assertion, when neither.
 */
void *__gpa_to_hva(struct kvm_vm *vm, u64 gpa);
void *gpa_to_hva(struct kvm_vm *vm, u64 gpa);
/* [@gpa, +@size), 4 KiB aligned, outside every memslot, as MMIO RAM. */
void vm_add_mmio_ram(struct kvm_vm *vm, u64 gpa, u64 size);

/* Dirty log.  @bitmap has one bit per 4 KiB page of the slot. */
void vm_get_dirty_log(struct kvm_vm *vm, u32 slot, void *bitmap);
void vm_clear_dirty_log(struct kvm_vm *vm, u32 slot, void *bitmap,
			u64 first_page, u32 num_pages);

/* vCPUs. */
struct kvm_vcpu *vm_vcpu_create(struct kvm_vm *vm, u32 id);
/*
 * KVM_RUN (again after a signal).  -1 with errno ETIMEDOUT when the
 * vCPU watchdog kicked a vCPU that made no progress; its report (guest
 * state, fault-storm statistics) is then in vcpu->hang_report.
 */
int __vcpu_run(struct kvm_vcpu *vcpu);
void vcpu_run(struct kvm_vcpu *vcpu);
/* vcpu_run()'s assertion on __vcpu_run()'s result @r (errno intact). */
void vcpu_run_check(struct kvm_vcpu *vcpu, int r);
void vcpu_get_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs);
void vcpu_set_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs);
void vcpu_get_sregs(struct kvm_vcpu *vcpu, struct kvm_sregs *sregs);
void vcpu_set_sregs(struct kvm_vcpu *vcpu, struct kvm_sregs *sregs);

const char *exit_reason_name(u32 reason);

#endif
