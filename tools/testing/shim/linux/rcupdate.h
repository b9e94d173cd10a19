/* SPDX-License-Identifier: GPL-2.0 */
/* struct rcu_head, for the layout of struct vmc_entry only. */
#ifndef _VMC_SHIM_RCUPDATE_H
#define _VMC_SHIM_RCUPDATE_H

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

#endif
