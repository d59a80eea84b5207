// SPDX-License-Identifier: GPL-2.0-only
/*
 * A small vsnprintf for guest messages: %d %u %x %p %s %c %% with the l and
 * ll length modifiers.  64-bit decimal output uses shift-and-subtract so
 * 32-bit guest code needs no libgcc division helpers.
 */
#include "guest.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* Divides *n by 10 in place and returns the remainder. */
static unsigned int divmod10(u64 *n)
{
	u64 q = 0, r = 0;
	int bit;

	for (bit = 63; bit >= 0; bit--) {
		r = (r << 1) | ((*n >> bit) & 1);
		if (r >= 10) {
			r -= 10;
			q |= 1ULL << bit;
		}
	}
	*n = q;
	return (unsigned int)r;
}

static void put_num(struct out *o, u64 v, bool hex, bool neg)
{
	char tmp[24];
	int n = 0;

	do {
		if (hex) {
			tmp[n++] = "0123456789abcdef"[v & 0xf];
			v >>= 4;
		} else {
			tmp[n++] = (char)('0' + divmod10(&v));
		}
	} while (v);
	if (neg)
		put(o, '-');
	while (n)
		put(o, tmp[--n]);
}

static u64 get_arg(__builtin_va_list *ap, int longs, bool is_signed)
{
	if (longs >= 2)
		return __builtin_va_arg(*ap, u64);
	if (longs == 1)
		return is_signed ? (u64)__builtin_va_arg(*ap, long) :
				   __builtin_va_arg(*ap, unsigned long);
	return is_signed ? (u64)(s64)__builtin_va_arg(*ap, int) :
			   __builtin_va_arg(*ap, unsigned int);
}

static void put_str(struct out *o, const char *s)
{
	if (!s)
		s = "(null)";
	while (*s)
		put(o, *s++);
}

int guest_vsnprintf(char *buf, size_t size, const char *fmt,
		    __builtin_va_list args)
{
	struct out o = { buf, size, 0 };
	__builtin_va_list ap;	/* a local copy can be passed by pointer */
	s64 sv;

	__builtin_va_copy(ap, args);

	for (; *fmt; fmt++) {
		int longs = 0;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		while (*++fmt == 'l')
			longs++;
		switch (*fmt) {
		case 'd':
			sv = (s64)get_arg(&ap, longs, true);
			put_num(&o, sv < 0 ? -(u64)sv : (u64)sv, false, sv < 0);
			break;
		case 'u':
			put_num(&o, get_arg(&ap, longs, false), false, false);
			break;
		case 'x':
			put_num(&o, get_arg(&ap, longs, false), true, false);
			break;
		case 'p':
			put_str(&o, "0x");
			put_num(&o, (unsigned long)__builtin_va_arg(ap, void *),
				true, false);
			break;
		case 's':
			put_str(&o, __builtin_va_arg(ap, const char *));
			break;
		case 'c':
			put(&o, (char)__builtin_va_arg(ap, int));
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, *fmt);
			break;
		}
	}
	__builtin_va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}
