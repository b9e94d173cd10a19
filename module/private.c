// SPDX-License-Identifier: GPL-2.0
/*
 * The quota of private caches: how many bytes of DRAM pool all of them
 * may take together, and how many caches one user may have.  The ioctl
 * layer (chardev.c) charges a cache before it creates it and uncharges
 * it when its last file goes; sysfs.c reads and sets the bounds.  Knows
 * nothing of caches themselves.
 */
#include <linux/mutex.h>
#include <linux/xarray.h>

#include "private.h"

/*
 * The bounds of the private caches: DRAM pool bytes in all, and caches per
 * user (an xarray of counts by uid).  A mutex: creation and release sleep.
 */
static DEFINE_MUTEX(vmc_private_lock);
static u64 vmc_private_limit;		/* protected by vmc_private_lock */
static u64 vmc_private_used;		/* protected by vmc_private_lock */
static u64 vmc_private_caches;		/* protected by vmc_private_lock */
static u64 vmc_private_per_user = 1024;	/* protected by vmc_private_lock */
static DEFINE_XARRAY(vmc_private_users);	/* uid -> caches */

void vmc_private_get_usage(struct vmc_private_usage *u)
{
	mutex_lock(&vmc_private_lock);
	u->limit = vmc_private_limit;
	u->used = vmc_private_used;
	u->caches = vmc_private_caches;
	u->per_user = vmc_private_per_user;
	mutex_unlock(&vmc_private_lock);
}

void vmc_private_set_limit(u64 limit)
{
	mutex_lock(&vmc_private_lock);
	vmc_private_limit = limit;
	mutex_unlock(&vmc_private_lock);
}

void vmc_private_set_per_user(u64 max)
{
	mutex_lock(&vmc_private_lock);
	vmc_private_per_user = max;
	mutex_unlock(&vmc_private_lock);
}

/* Caches user @uid has; the lock is held. */
static unsigned long vmc_private_user_count(uid_t uid)
{
	void *v = xa_load(&vmc_private_users, uid);

	return v ? xa_to_value(v) : 0;
}

/**
 * vmc_private_charge() - count a new private cache against the bounds
 * @uid: its creator
 * @bytes: its DRAM pool (0 for a DAX one)
 *
 * Return: 0, -EDQUOT (a bound is reached) or -ENOMEM.
 */
int vmc_private_charge(uid_t uid, u64 bytes)
{
	unsigned long n;
	int ret = 0;

	mutex_lock(&vmc_private_lock);
	n = vmc_private_user_count(uid);
	if (vmc_private_per_user && n >= vmc_private_per_user)
		ret = -EDQUOT;
	else if (bytes && vmc_private_limit &&
		 bytes > vmc_private_limit -
			 min(vmc_private_used, vmc_private_limit))
		ret = -EDQUOT;
	if (!ret)
		ret = xa_err(xa_store(&vmc_private_users, uid,
				      xa_mk_value(n + 1), GFP_KERNEL));
	if (!ret) {
		vmc_private_used += bytes;
		vmc_private_caches++;
	}
	mutex_unlock(&vmc_private_lock);
	return ret;
}

/**
 * vmc_private_uncharge() - a private cache counted by vmc_private_charge()
 *			    is gone
 * @uid: its creator
 * @bytes: its DRAM pool, as charged
 */
void vmc_private_uncharge(uid_t uid, u64 bytes)
{
	unsigned long n;

	mutex_lock(&vmc_private_lock);
	vmc_private_used -= bytes;
	vmc_private_caches--;
	n = vmc_private_user_count(uid);
	if (n > 1)
		xa_store(&vmc_private_users, uid, xa_mk_value(n - 1),
			 GFP_KERNEL);	/* replaces: allocates nothing */
	else
		xa_erase(&vmc_private_users, uid);
	mutex_unlock(&vmc_private_lock);
}
