// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * errormsg.c -- the per-thread error message of libvmemcache-kdev:
 * vmemcache_errormsg() and the helpers that set it together with errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmc_internal.h"

#define VMC_ERRMSG_MAX 512

static __thread char vmc_errmsg[VMC_ERRMSG_MAX];

VMC_API const char *vmemcache_errormsg(void)
{
	return vmc_errmsg;
}

int vmc_fail(int err, const char *func, const char *fmt, ...)
{
	char ebuf[128];
	const char *estr = strerror_r(err, ebuf, sizeof(ebuf));
	size_t len;
	va_list ap;
	int n;

	n = snprintf(vmc_errmsg, sizeof(vmc_errmsg), "%s: ", func);
	len = n < 0 ? 0 : (size_t)n;
	if (fmt && len < sizeof(vmc_errmsg)) {
		va_start(ap, fmt);
		n = vsnprintf(vmc_errmsg + len, sizeof(vmc_errmsg) - len, fmt,
			      ap);
		va_end(ap);
		len += n < 0 ? 0 : (size_t)n;
		if (len < sizeof(vmc_errmsg))
			len += (size_t)snprintf(vmc_errmsg + len,
						sizeof(vmc_errmsg) - len, ": ");
	}
	if (len < sizeof(vmc_errmsg))
		snprintf(vmc_errmsg + len, sizeof(vmc_errmsg) - len, "%s",
			 estr);
	errno = err;
	return -1;
}

int vmc_fail_as(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vmc_errmsg, sizeof(vmc_errmsg), fmt, ap);
	va_end(ap);
	errno = err;
	return -1;
}

int vmc_fail_kernel(int err, const char *func)
{
	switch (err) {
	case EEXIST:
		return vmc_fail(err, func, "key exists");
	case ENOENT:
		return vmc_fail(err, func, "key not found");
	case ESRCH:
		return vmc_fail(err, func, "no entry can be evicted");
	case ENOSPC:
		return vmc_fail(err, func, "value does not fit in the cache");
	case EBADF:
		return vmc_fail(err, func, "the cache device is open read-only");
	case E2BIG:
		return vmc_fail(err, func, "argument not understood by the kernel module");
	case ENOTTY:
		return vmc_fail(err, func, "request not supported by the kernel module");
	default:
		return vmc_fail(err, func, NULL);
	}
}
