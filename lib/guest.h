/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests in a chosen paging mode: memory, GDT/IDT/TSS, identity-mapped
 * runtime region (abi/layout.h), the guest image, and vCPUs entering it
 * with KVM_SET_SREGS.
 *
 *   GUEST_PROGRAM_DECLARE(op_interp);
 *   vm = vm_create_guest(PAGING_PAE, &GUEST_PROGRAM(op_interp), 64 << 20);
 *   vcpu = vm_guest_vcpu_add(vm, 0);
 */
#ifndef KMT_GUEST_H
#define KMT_GUEST_H

#include "abi/percpu.h"
#include "kvm.h"

struct guest_image {
	const u8 *start;
	const u8 *end;
};

/* A guest program built twice: 32-bit (non-PAE, PAE) and 64-bit. */
struct guest_program {
	const char *name;
	struct guest_image img32;
	struct guest_image img64;
};

#define GUEST_PROGRAM_DECLARE(name)					\
	extern const u8 _binary_##name##32_bin_start[],			\
		_binary_##name##32_bin_end[],				\
		_binary_##name##64_bin_start[],				\
		_binary_##name##64_bin_end[]

#define GUEST_PROGRAM(name)						\
	((struct guest_program){ #name,					\
		{ _binary_##name##32_bin_start, _binary_##name##32_bin_end }, \
		{ _binary_##name##64_bin_start, _binary_##name##64_bin_end } })

/* A 64-bit-only guest program (e.g. an L1 hypervisor). */
#define GUEST_PROGRAM64_DECLARE(name)					\
	extern const u8 _binary_##name##64_bin_start[],			\
		_binary_##name##64_bin_end[]

#define GUEST_PROGRAM64(name)						\
	((struct guest_program){ #name, { NULL, NULL },			\
		{ _binary_##name##64_bin_start, _binary_##name##64_bin_end } })

/*
 * Whether the CPU KVM exposes can run @mode (LA57 for PAGING_LM5); @why
 * gets the SKIP reason.
 */
bool paging_mode_supported(enum paging_mode mode, char *why, size_t size);

/* Parses "nonpae", "pae", "64", "la57"; returns PAGING_NR_MODES if none. */
enum paging_mode paging_mode_parse(const char *name);

/*
 * A VM with memslot 0 = [0, @mem_size) anonymous memory, the runtime region
 * identity mapped, descriptor tables built and @prog loaded.
 */
struct kvm_vm *vm_create_guest(enum paging_mode mode,
			       const struct guest_program *prog, u64 mem_size);
/* A vCPU that enters the guest program's entry point. */
struct kvm_vcpu *vm_guest_vcpu_add(struct kvm_vm *vm, u32 id);
struct guest_percpu *vcpu_percpu(struct kvm_vcpu *vcpu);
/* CR4 |= @bits on a vCPU before it runs (e.g. X86_CR4_SMEP, bit 20). */
void vcpu_set_cr4_bits(struct kvm_vcpu *vcpu, u64 bits);

/*
 * A second (third, ...) root for CR3: a new top-level table that shares the
 * runtime region's tables with vm->pt.root and maps nothing else yet.
 */
u64 vm_new_root(struct kvm_vm *vm);

/*
 * Entry @index of the guest program's exports: addresses it publishes
 * with `const u64 guest_exports[]` (e.g. L2 entry points).
 */
u64 vm_guest_export(struct kvm_vm *vm, u32 index);

/* A zeroed page from the page-table pool (identity mapped). */
u64 vm_alloc_table_page(struct kvm_vm *vm);
/* Zeroed arena memory (identity mapped) for scripts and results. */
u64 vm_arena_alloc(struct kvm_vm *vm, u64 size);
/* Gives the whole arena back, e.g. between two scripts. */
void vm_arena_reset(struct kvm_vm *vm);

/* The struct pg_phys of a VM's memory, for pg_init() and walks. */
struct pg_phys vm_pg_phys(struct kvm_vm *vm);

#endif
