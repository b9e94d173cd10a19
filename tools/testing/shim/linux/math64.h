/* SPDX-License-Identifier: GPL-2.0 */
/* 64-bit division helpers of the kernel, for the tests. */
#ifndef _VMC_SHIM_MATH64_H
#define _VMC_SHIM_MATH64_H

#include <linux/types.h>

static inline u64 div_u64_rem(u64 dividend, u32 divisor, u32 *remainder)
{
	*remainder = dividend % divisor;
	return dividend / divisor;
}

static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}

#endif
