/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The quota of private caches (private.c), part of the device layer: how
 * much DRAM all private caches may take and how many one user may have.
 * The ioctl layer (chardev.c) charges it, sysfs reads and sets it; it
 * calls nothing of the module.
 */
#ifndef _VMC_PRIVATE_H
#define _VMC_PRIVATE_H

#include <linux/types.h>

/**
 * struct vmc_private_usage - what the private caches take
 * @limit: most bytes of DRAM pools all private caches may hold together;
 *	   0 for no limit (beyond the memory cgroups they are charged to)
 * @used: bytes of DRAM pools of the private caches that exist now
 * @caches: private caches that exist now (DRAM and DAX)
 * @per_user: most private caches one user may have at once; 0: no bound
 */
struct vmc_private_usage {
	u64 limit;
	u64 used;
	u64 caches;
	u64 per_user;
};

void vmc_private_get_usage(struct vmc_private_usage *u);
void vmc_private_set_limit(u64 limit);
void vmc_private_set_per_user(u64 max);
int vmc_private_charge(uid_t uid, u64 bytes);
void vmc_private_uncharge(uid_t uid, u64 bytes);

#endif /* _VMC_PRIVATE_H */
