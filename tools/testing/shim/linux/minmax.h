/* SPDX-License-Identifier: GPL-2.0 */
/* min() and max(): tools/include has them in linux/kernel.h. */
#ifndef _VMC_SHIM_MINMAX_H
#define _VMC_SHIM_MINMAX_H

#include <linux/kernel.h>

#endif
