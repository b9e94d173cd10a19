/* SPDX-License-Identifier: GPL-2.0 */
/* The key type of the kernel's siphash, all that vmemcache.h needs of it. */
#ifndef _VMC_SHIM_SIPHASH_H
#define _VMC_SHIM_SIPHASH_H

#include <linux/types.h>

typedef struct {
	u64 key[2];
} siphash_key_t;

#endif
