// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "matrix.h"

const struct matrix_test *matrix_find(const char *path)
{
	const char *name = strrchr(path, '/');
	const struct matrix_test *t;

	name = name ? name + 1 : path;
	for (t = matrix_tests; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}
