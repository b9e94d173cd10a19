/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's CLOCK_BOOTTIME reads, all that entry.h's vmc_now() and
 * vmc_access_now() need: the same clock in userspace, which has no coarse
 * CLOCK_BOOTTIME (the precise second is one the coarse clock may tell).
 */
#ifndef _VMC_SHIM_TIMEKEEPING_H
#define _VMC_SHIM_TIMEKEEPING_H

#include <time.h>
#include <linux/types.h>

#define NSEC_PER_SEC	1000000000LL

typedef s64 ktime_t;

static inline ktime_t ktime_get_boottime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (ktime_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static inline s64 ktime_get_boottime_seconds(void)
{
	return ktime_get_boottime() / NSEC_PER_SEC;
}

static inline s64 ktime_divns(ktime_t kt, s64 div)
{
	return kt / div;
}

#endif
