// SPDX-License-Identifier: GPL-2.0
/*
 * util.c -- helpers of vmemcachectl: error messages and exit codes,
 * a command's option parsing, opening the cache, and whole-buffer I/O.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "ctl.h"

int ctl_fail(const char *op)
{
	int err = errno;

	fprintf(stderr, PROG ": %s: %s\n", op, vmemcache_errormsg());
	return err == ENOENT || err == ESRCH ? CTL_NOTFOUND : CTL_ERROR;
}

static void ctl_vmessage(const char *op, const char *fmt, va_list ap)
{
	fprintf(stderr, PROG ": %s: ", op);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int ctl_error(const char *op, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctl_vmessage(op, fmt, ap);
	va_end(ap);
	return CTL_ERROR;
}

int ctl_usage_error(const char *op, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctl_vmessage(op, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '" PROG " --help' for more information.\n");
	return CTL_USAGE;
}

int ctl_options(const char *op, int argc, char **argv,
		const char *const names[], unsigned int *set, int *rc)
{
	int i;

	*set = 0;
	for (i = 0; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		unsigned int n;

		if (!strcmp(argv[i], "--"))
			return i + 1;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			ctl_help();
			*rc = CTL_OK;
			return -1;
		}
		for (n = 0; names && names[n]; n++)
			if (!strcmp(argv[i], names[n]))
				break;
		if (!names || !names[n]) {
			*rc = ctl_usage_error(op, "unknown option '%s'",
					      argv[i]);
			return -1;
		}
		*set |= 1U << n;
	}
	return i;
}

int ctl_open(const char *op, const char *dev, VMEMcache **cache)
{
	struct stat st;

	/*
	 * A directory or a block device would make a private cache, gone
	 * when this command exits: only the shared cache makes sense here.
	 */
	if (!stat(dev, &st) && (S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode))) {
		fprintf(stderr,
			"vmemcachectl: %s: %s is not the vmemcache device (a private cache there would vanish when vmemcachectl exits)\n",
			op, dev);
		*cache = NULL;
		return CTL_ERROR;
	}
	*cache = vmemcache_new();
	if (!*cache) {
		ctl_fail(op);
		return CTL_ERROR;
	}
	if (vmemcache_add(*cache, dev)) {
		/* Not "key not found", even for a missing device node. */
		ctl_fail(op);
		vmemcache_delete(*cache);
		*cache = NULL;
		return CTL_ERROR;
	}
	return CTL_OK;
}

int ctl_read_all(int fd, char **buf, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *b = malloc(cap), *nb;
	ssize_t r;

	if (!b)
		return -1;
	for (;;) {
		if (n == cap) {
			nb = cap > (size_t)-1 / 2 ? NULL : realloc(b, cap * 2);
			if (!nb) {
				free(b);
				errno = ENOMEM;
				return -1;
			}
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;

			free(b);
			errno = err;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
	return 0;
}

int ctl_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t w;

	while (len) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}
