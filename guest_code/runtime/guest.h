/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest runtime API: what guest programs may call.  The same sources build
 * as 32-bit code (non-PAE and PAE guests) and 64-bit code (long mode).
 *
 * A guest program defines guest_main(); the runtime calls it with the
 * per-vCPU area and sends UCALL_DONE when it returns.
 */
#ifndef KMT_GUEST_H
#define KMT_GUEST_H

#include "abi/layout.h"
#include "abi/percpu.h"
#include "abi/ucall_msg.h"

void guest_main(struct guest_percpu *pc);

static inline struct guest_percpu *this_cpu(void)
{
	struct guest_percpu *pc;

	asm volatile("mov %%gs:0, %0" : "=r"(pc));
	return pc;
}

/* ---- guest -> host calls ---- */
void guest_ucall(u32 cmd, u64 a0, u64 a1, u64 a2, u64 a3);
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void __attribute__((noreturn)) guest_assert_fail(const char *file, u32 line,
						 const char *text, u64 a, u64 b);

#define GUEST_SYNC(a, b)	guest_ucall(UCALL_SYNC, (a), (b), 0, 0)

#define GUEST_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			guest_assert_fail(__FILE__, __LINE__, #cond, 0, 0); \
	} while (0)

/* Prints both expressions and both values on the host. */
#define GUEST_ASSERT_EQ(a, b)						\
	do {								\
		u64 __a = (u64)(a), __b = (u64)(b);			\
		if (__a != __b)						\
			guest_assert_fail(__FILE__, __LINE__,		\
					  #a " == " #b, __a, __b);	\
	} while (0)

int guest_vsnprintf(char *buf, size_t size, const char *fmt,
		    __builtin_va_list ap);

/* ---- CPU helpers ---- */
static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (u64)hi << 32 | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

static inline void invlpg(unsigned long va)
{
	asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline unsigned long read_cr2(void)
{
	unsigned long v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline unsigned long read_cr0(void)
{
	unsigned long v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(unsigned long v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

/* EFLAGS.AC (SMAP): only where CPUID has SMAP (#UD otherwise). */
static inline void stac(void)
{
	asm volatile("stac" : : : "memory", "cc");
}

static inline void clac(void)
{
	asm volatile("clac" : : : "memory", "cc");
}

static inline unsigned long read_cr3(void)
{
	unsigned long v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(unsigned long v)
{
	asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline void __attribute__((noreturn)) halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

/*
 * Safe accesses: run one access and return the exception it raised as a
 * value (struct fault_info, vector FAULT_NONE when it completed) instead of
 * letting the exception handler report it as unexpected.
 */
u32 guest_read32_safe(unsigned long va, struct fault_info *f);
void guest_write32_safe(unsigned long va, u32 val, struct fault_info *f);
void guest_write64_safe(unsigned long va, u64 val, struct fault_info *f);
/* Calls @va, where a RET must be: the access is the instruction fetch. */
void guest_fetch_safe(unsigned long va, struct fault_info *f);
/* The same at CPL 3 (one vCPU at a time: the TSS is shared). */
u32 guest_user_read32_safe(unsigned long va, struct fault_info *f);
void guest_user_write32_safe(unsigned long va, u32 val, struct fault_info *f);

#endif
