/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GFP flags for the tests: only whether an allocation may sleep and must
 * not fail matters here (see ../slab.h).  Shadows the kernel's gfp.h,
 * whose flag values come with the page allocator's headers.
 */
#ifndef _VMC_SHIM_GFP_H
#define _VMC_SHIM_GFP_H

#include <linux/types.h>	/* gfp_t */

#define GFP_KERNEL		0x1u
#define __GFP_NOFAIL		0x2u
#define __GFP_ACCOUNT		0x4u
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)

#endif
