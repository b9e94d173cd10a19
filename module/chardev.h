/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device, the top layer: the misc device and its ioctls (chardev.c;
 * evict_log.h, the evicted-entries logs), the quota of private caches
 * (private.h), the sysfs tunables (sysfs.c) and debugfs (debugfs.c).
 * Calls the cache (cache.h).
 */
#ifndef _VMC_CHARDEV_H
#define _VMC_CHARDEV_H

#include <linux/miscdevice.h>
#include <linux/types.h>

#include "cache.h"
#include "private.h"

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
struct vmc_cache *vmc_private_cache(struct file *file);

/* sysfs.c */
extern const struct attribute_group *vmc_attr_groups[];
int vmc_parse_size(const char *buf, u64 *size);

#endif /* _VMC_CHARDEV_H */
