/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wait_queue_head_t and atomic64_t, for the layout of struct vmc_cache
 * only: the policies never wait nor touch those fields.
 */
#ifndef _VMC_SHIM_WAIT_H
#define _VMC_SHIM_WAIT_H

typedef struct {
	void *unused[3];
} wait_queue_head_t;

#ifndef atomic64_t
typedef struct {
	long long counter;
} atomic64_t;
#endif

#endif
