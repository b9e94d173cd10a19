/* SPDX-License-Identifier: GPL-2.0 */
/* local_lock_t for the tests: a mutex per CPU copy (see percpu.h). */
#ifndef _VMC_SHIM_LOCAL_LOCK_H
#define _VMC_SHIM_LOCAL_LOCK_H

#include <pthread.h>
#include <linux/percpu.h>

#define local_lock_t		pthread_mutex_t
#define local_lock_init(l)	pthread_mutex_init(l, NULL)
#define local_lock(l)		pthread_mutex_lock(this_cpu_ptr(l))
#define local_unlock(l)		pthread_mutex_unlock(this_cpu_ptr(l))

#endif
