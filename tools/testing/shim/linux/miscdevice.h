/* SPDX-License-Identifier: GPL-2.0 */
/* struct miscdevice, for the layout of struct vmc_device only. */
#ifndef _VMC_SHIM_MISCDEVICE_H
#define _VMC_SHIM_MISCDEVICE_H

struct miscdevice {
	const char *name;
};

#endif
