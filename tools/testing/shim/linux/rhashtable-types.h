/* SPDX-License-Identifier: GPL-2.0 */
/* rhashtable types, for the layout of vmemcache's structs only. */
#ifndef _VMC_SHIM_RHASHTABLE_TYPES_H
#define _VMC_SHIM_RHASHTABLE_TYPES_H

struct rhash_head {
	struct rhash_head *next;
};

struct rhashtable {
	void *tbl;
};

#endif
