/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU masks for the tests: one word of SHIM_NR_CPUS bits, changed with
 * atomic read-modify-writes as the kernel's cpumask_set_cpu() and
 * cpumask_clear_cpu() are (tools/include's set_bit() is not atomic).
 */
#ifndef _VMC_SHIM_CPUMASK_H
#define _VMC_SHIM_CPUMASK_H

#include <stdbool.h>
#include <stdlib.h>
#include <asm/barrier.h>
#include <linux/percpu.h>

struct cpumask {
	unsigned long bits;
};

typedef struct cpumask *cpumask_var_t;

static inline bool zalloc_cpumask_var(cpumask_var_t *mask, gfp_t gfp)
{
	(void)gfp;
	*mask = calloc(1, sizeof(**mask));
	return *mask;
}

static inline void free_cpumask_var(cpumask_var_t mask)
{
	free(mask);
}

static inline void cpumask_set_cpu(unsigned int cpu, struct cpumask *m)
{
	__atomic_fetch_or(&m->bits, 1UL << cpu, __ATOMIC_RELAXED);
}

static inline void cpumask_clear_cpu(int cpu, struct cpumask *m)
{
	__atomic_fetch_and(&m->bits, ~(1UL << cpu), __ATOMIC_RELAXED);
}

static inline bool cpumask_test_cpu(int cpu, const struct cpumask *m)
{
	return __atomic_load_n(&m->bits, __ATOMIC_RELAXED) & (1UL << cpu);
}

#define for_each_cpu(cpu, m)						\
	for ((cpu) = 0; (cpu) < SHIM_NR_CPUS; (cpu)++)			\
		if (cpumask_test_cpu((cpu), (m)))

#ifndef smp_mb__after_atomic
#define smp_mb__after_atomic()	smp_mb()
#endif

#endif
