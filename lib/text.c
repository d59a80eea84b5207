// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text.h"

char *read_file(const char *path)
{
	size_t size = 0, cap = 8192;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err = errno;
	ssize_t r;

	if (fd < 0 || !buf) {
		if (fd >= 0)
			close(fd);
		free(buf);
		errno = fd < 0 ? err : ENOMEM;
		return NULL;
	}
	for (;;) {
		if (cap - size < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + size, cap - size - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		size += r;
	}
	close(fd);
	buf[size] = '\0';
	return buf;
}

bool text_next_line(const char **p, const char **start, const char **end)
{
	const char *nl;

	if (!**p)
		return false;
	*start = *p;
	nl = strchr(*p, '\n');
	*end = nl ? nl : *p + strlen(*p);
	*p = nl ? nl + 1 : *end;
	return true;
}

bool text_has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while (n && (p = strstr(p, word))) {
		if ((p == list || isspace((unsigned char)p[-1])) &&
		    (!p[n] || isspace((unsigned char)p[n])))
			return true;
		p += n;
	}
	return false;
}
