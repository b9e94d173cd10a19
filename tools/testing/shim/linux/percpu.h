/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU memory for the tests: SHIM_NR_CPUS copies SHIM_PCPU_STRIDE bytes
 * apart, so that the address of a field of any CPU's copy is the field's
 * address plus a multiple of the stride.  Each test thread plays one CPU,
 * shim_cpu (one thread per CPU: there is no preemption to disable).
 */
#ifndef _VMC_SHIM_PERCPU_H
#define _VMC_SHIM_PERCPU_H

#include <stdlib.h>
#include <asm/barrier.h>
#include <linux/bitops.h>
#include "../shim.h"

#define SHIM_NR_CPUS		4
#define SHIM_PCPU_STRIDE	4096

#define __percpu

extern __thread int shim_cpu;

void *shim_alloc_percpu(size_t size);
#define alloc_percpu(type)	((type *)shim_alloc_percpu(sizeof(type)))
#define alloc_percpu_gfp(type, gfp)	alloc_percpu(type)
#define free_percpu(p)		free(p)

#define per_cpu_ptr(p, cpu)	\
	((typeof(p))((char *)(p) + (size_t)(cpu) * SHIM_PCPU_STRIDE))
#define this_cpu_ptr(p)		per_cpu_ptr(p, shim_cpu)
#define this_cpu_inc(pcp)	((*this_cpu_ptr(&(pcp)))++)
#define for_each_possible_cpu(cpu)	\
	for ((cpu) = 0; (cpu) < SHIM_NR_CPUS; (cpu)++)

#endif
