// SPDX-License-Identifier: GPL-2.0
/*
 * Replacement policies by name, and the NONE policy: no order is kept, a
 * full cache refuses new values and there is never a victim.
 */
#include <linux/slab.h>
#include <linux/string.h>

#include "vmemcache.h"

static struct vmc_repl *vmc_none_create(void)
{
	struct vmc_repl *r = kzalloc(sizeof(*r), GFP_KERNEL);

	if (r)
		r->ops = &vmc_repl_none;
	return r;
}

static void vmc_none_destroy(struct vmc_repl *r)
{
	kfree(r);
}

static void vmc_none_entry(struct vmc_repl *r, struct vmc_entry *e)
{
}

static struct vmc_entry *vmc_none_victim(struct vmc_repl *r)
{
	return NULL;
}

const struct vmc_repl_ops vmc_repl_none = {
	.name = "none",
	.create = vmc_none_create,
	.destroy = vmc_none_destroy,
	.insert = vmc_none_entry,
	.touch = vmc_none_entry,
	.remove = vmc_none_entry,
	.victim = vmc_none_victim,
};

static const struct vmc_repl_ops *const vmc_policies[] = {
	&vmc_repl_lru,
	&vmc_repl_none,
};

/**
 * vmc_repl_find() - look a replacement policy up by name
 * @name: name as written to sysfs (a trailing newline is ignored)
 *
 * Return: the policy or NULL.
 */
const struct vmc_repl_ops *vmc_repl_find(const char *name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(vmc_policies); i++)
		if (sysfs_streq(name, vmc_policies[i]->name))
			return vmc_policies[i];
	return NULL;
}
