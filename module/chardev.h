/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device, the top layer: the misc device and its ioctls (chardev.c,
 * evict_log.c), the quota of private caches (private.c), the sysfs
 * tunables (sysfs.c) and debugfs (debugfs.c).  Calls the cache (cache.h).
 */
#ifndef _VMC_CHARDEV_H
#define _VMC_CHARDEV_H

#include <linux/miscdevice.h>
#include <linux/types.h>

#include "cache.h"

/**
 * struct vmc_device - a cache exposed as a misc character device
 * @misc: the device; its sysfs directory holds the tunables
 * @cache: the cache every opener of the device shares
 */
struct vmc_device {
	struct miscdevice misc;
	struct vmc_cache *cache;
};

/* debugfs.c */
void vmc_debugfs_init(struct vmc_cache *c);
void vmc_debugfs_exit(void);

/* chardev.c */
extern const struct file_operations vmc_fops;

/* private.c */
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

/* sysfs.c */
extern const struct attribute_group *vmc_attr_groups[];
int vmc_parse_size(const char *buf, u64 *size);

#endif /* _VMC_CHARDEV_H */
