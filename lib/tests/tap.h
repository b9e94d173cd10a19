/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tap.h -- TAP checks of the libvmemcache-kdev host tests: is_err() and
 * IS_ERR_MSG() on top of tap_ok() and tap_done() of the common tap.h.
 */
#ifndef VMC_TAP_H
#define VMC_TAP_H

#include <errno.h>
#include <string.h>

#include <libvmemcache.h>

#include "../../tools/testing/common/tap.h"

/*
 * is_err -- @ret is -1, errno (saved by the caller as @err) is @want and
 * the thread's error message contains @func.
 */
static inline int is_err(long ret, int err, int want, const char *func,
			 const char *what)
{
	const char *msg = vmemcache_errormsg();
	int good = ret == -1 && err == want && strstr(msg, func) != NULL;

	if (!tap_ok(good, "%s fails with %s", what, strerrorname_np(want)))
		printf("#   got ret %ld errno %d (%s), message \"%s\"\n", ret,
		       err, strerrorname_np(err) ? strerrorname_np(err) : "?",
		       msg);
	return good;
}

/* Runs @call, then checks its result with is_err(). */
#define IS_ERR(call, want, func, what) do {				\
	long ret_ = (long)(call);					\
	int err_ = errno;						\
	is_err(ret_, err_, want, func, what);				\
} while (0)

/*
 * Runs @call: -1, errno @want and exactly the message @msg (libvmemcache's
 * text for that failure, which programs compare).
 */
#define IS_ERR_MSG(call, want, msg, what) do {				\
	long ret_ = (long)(call);					\
	int err_ = errno;						\
	const char *m_ = vmemcache_errormsg();				\
									\
	if (!tap_ok(ret_ == -1 && err_ == (want) && !strcmp(m_, (msg)),	\
		"%s: errno %s, \"%s\"", (what), strerrorname_np(want),	\
		(msg)))							\
		printf("#   got ret %ld errno %d, message \"%s\"\n", ret_,	\
		       err_, m_);					\
} while (0)

#endif /* VMC_TAP_H */
