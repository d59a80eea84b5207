// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest runtime: entry into guest_main(), exception capture, ucall client,
 * safe accesses and the libc-like helpers the compiler may call.
 */
#include "guest.h"

#include "abi/image.h"

/* What the entry stubs push; see entry32.S / entry64.S. */
struct exc_frame {
#ifdef __x86_64__
	unsigned long r15, r14, r13, r12, r11, r10, r9, r8;
	unsigned long rdi, rsi, rbp, rbx, rdx, rcx, rax;
#else
	unsigned long edi, esi, ebp, esp, ebx, edx, ecx, eax;
#endif
	unsigned long vector, error_code, ip, cs, flags;
};

#ifdef __x86_64__
#define MOV_FIXUP "movq"
#else
#define MOV_FIXUP "movl"
#endif

void guest_entry(struct guest_percpu *pc);
void guest_exception(struct exc_frame *f);
u32 user_access(u32 kind, unsigned long va, u32 val);
void __attribute__((noreturn)) user_abort(void);

void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;

	while (n--)
		*p++ = (unsigned char)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

static void copy_str(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

static void ucall_port_out(struct ucall *uc)
{
	u32 addr = (u32)(unsigned long)uc;

	asm volatile("outl %0, %1" : : "a"(addr), "i"(UCALL_PORT) : "memory");
}

void guest_ucall(u32 cmd, u64 a0, u64 a1, u64 a2, u64 a3)
{
	struct ucall *uc = &this_cpu()->uc;

	uc->cmd = cmd;
	uc->args[0] = a0;
	uc->args[1] = a1;
	uc->args[2] = a2;
	uc->args[3] = a3;
	ucall_port_out(uc);
}

void guest_printf(const char *fmt, ...)
{
	struct ucall *uc = &this_cpu()->uc;
	__builtin_va_list ap;

	__builtin_va_start(ap, fmt);
	guest_vsnprintf(uc->text, sizeof(uc->text), fmt, ap);
	__builtin_va_end(ap);
	uc->cmd = UCALL_PRINT;
	ucall_port_out(uc);
}

void guest_assert_fail(const char *file, u32 line, const char *text,
		       u64 a, u64 b)
{
	struct ucall *uc = &this_cpu()->uc;

	uc->cmd = UCALL_ASSERT;
	uc->line = line;
	uc->args[0] = a;
	uc->args[1] = b;
	copy_str(uc->file, file, sizeof(uc->file));
	copy_str(uc->text, text, sizeof(uc->text));
	ucall_port_out(uc);
	halt_forever();
}

void guest_entry(struct guest_percpu *pc)
{
	guest_main(pc);
	guest_ucall(UCALL_DONE, 0, 0, 0, 0);
	halt_forever();
}

/*
 * An armed safe access resumes at its fixup address with the exception
 * recorded; any other exception is reported to the host, which fails the
 * test, and the vCPU stops here.
 */
void guest_exception(struct exc_frame *f)
{
	struct guest_percpu *pc = this_cpu();
	unsigned long cr2 = read_cr2();

	if (pc->user_active) {
		/* A user-mode access faulted: back to user_access()'s caller. */
		pc->fault.vector = (u32)f->vector;
		pc->fault.error_code = (u32)f->error_code;
		pc->fault.cr2 = cr2;
		pc->user_active = 0;
		user_abort();
	}
	if (pc->fixup) {
		pc->fault.vector = (u32)f->vector;
		pc->fault.error_code = (u32)f->error_code;
		pc->fault.cr2 = cr2;
		f->ip = (unsigned long)pc->fixup;
		pc->fixup = 0;
		return;
	}
	guest_ucall(UCALL_EXCEPTION, f->vector, f->error_code, cr2, f->ip);
	halt_forever();
}

static void safe_begin(struct guest_percpu *pc)
{
	pc->fault.vector = FAULT_NONE;
	pc->fault.error_code = 0;
	pc->fault.cr2 = 0;
}

static void safe_end(struct guest_percpu *pc, struct fault_info *f)
{
	pc->fixup = 0;
	*f = pc->fault;
}

u32 guest_read32_safe(unsigned long va, struct fault_info *f)
{
	struct guest_percpu *pc = this_cpu();
	u32 val = 0;

	safe_begin(pc);
	asm volatile(MOV_FIXUP " $1f, %%gs:%c[fix]\n\t"
		     "movl (%[va]), %[val]\n"
		     "1:"
		     : [val] "+r"(val)
		     : [va] "r"(va), [fix] "i"(PERCPU_OFF_FIXUP)
		     : "memory");
	safe_end(pc, f);
	return val;
}

void guest_write32_safe(unsigned long va, u32 val, struct fault_info *f)
{
	struct guest_percpu *pc = this_cpu();

	safe_begin(pc);
	asm volatile(MOV_FIXUP " $1f, %%gs:%c[fix]\n\t"
		     "movl %[val], (%[va])\n"
		     "1:"
		     :
		     : [val] "r"(val), [va] "r"(va),
		       [fix] "i"(PERCPU_OFF_FIXUP)
		     : "memory");
	safe_end(pc, f);
}

/*
 * An 8-byte page-table entry must change in one store, or KVM (and the
 * CPU) could see a torn entry; 32-bit code gets that from CMPXCHG8B.
 */
void guest_write64_safe(unsigned long va, u64 val, struct fault_info *f)
{
	struct guest_percpu *pc = this_cpu();

	safe_begin(pc);
#ifdef __x86_64__
	asm volatile("movq $1f, %%gs:%c[fix]\n\t"
		     "movq %[val], (%[va])\n"
		     "1:"
		     :
		     : [val] "r"(val), [va] "r"(va),
		       [fix] "i"(PERCPU_OFF_FIXUP)
		     : "memory");
#else
	asm volatile("movl $2f, %%gs:%c[fix]\n\t"
		     "movl (%[va]), %%eax\n\t"
		     "movl 4(%[va]), %%edx\n"
		     "1:\tlock cmpxchg8b (%[va])\n\t"
		     "jnz 1b\n"
		     "2:"
		     :
		     : [va] "S"(va), "b"((u32)val), "c"((u32)(val >> 32)),
		       [fix] "i"(PERCPU_OFF_FIXUP)
		     : "eax", "edx", "memory", "cc");
#endif
	safe_end(pc, f);
}

#ifdef __x86_64__
#define SP_REG "rsp"
#else
#define SP_REG "esp"
#endif

/*
 * A fetch fault resumes at the fixup with the return address of the call
 * still pushed: the stack pointer comes back from a register (RET and the
 * exception path clobber none).
 */
void guest_fetch_safe(unsigned long va, struct fault_info *f)
{
	struct guest_percpu *pc = this_cpu();
	unsigned long sp;

	safe_begin(pc);
	asm volatile(MOV_FIXUP " $1f, %%gs:%c[fix]\n\t"
		     "mov %%" SP_REG ", %[sp]\n\t"
		     "call *%[va]\n"
		     "1:\tmov %[sp], %%" SP_REG
		     : [sp] "=&r"(sp)
		     : [va] "r"(va), [fix] "i"(PERCPU_OFF_FIXUP)
		     : "memory", "cc");
	safe_end(pc, f);
}

static u32 user_safe(u32 kind, unsigned long va, u32 val, struct fault_info *f)
{
	struct guest_percpu *pc = this_cpu();
	u32 r;

	safe_begin(pc);
	pc->user_active = 1;
	r = user_access(kind, va, val);
	pc->user_active = 0;
	*f = pc->fault;
	return r;
}

u32 guest_user_read32_safe(unsigned long va, struct fault_info *f)
{
	return user_safe(0, va, 0, f);
}

void guest_user_write32_safe(unsigned long va, u32 val, struct fault_info *f)
{
	user_safe(1, va, val, f);
}
