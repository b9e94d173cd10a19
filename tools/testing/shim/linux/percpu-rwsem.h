/* SPDX-License-Identifier: GPL-2.0 */
/* struct percpu_rw_semaphore, for the layout of struct vmc_cache only. */
#ifndef _VMC_SHIM_PERCPU_RWSEM_H
#define _VMC_SHIM_PERCPU_RWSEM_H

#include <linux/percpu.h>

struct percpu_rw_semaphore {
	void *unused;
};

#endif
