/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's string helpers that the module uses, for the tests. */
#ifndef _VMC_SHIM_STRING_H
#define _VMC_SHIM_STRING_H

#include <stdbool.h>
#include <string.h>

/* Equal, but a trailing newline on either side does not count. */
static inline bool sysfs_streq(const char *s1, const char *s2)
{
	while (*s1 && *s1 == *s2) {
		s1++;
		s2++;
	}
	if (*s1 == *s2)
		return true;
	if (!*s1 && *s2 == '\n' && !s2[1])
		return true;
	return *s1 == '\n' && !s1[1] && !*s2;
}

#endif
