/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The random numbers of the userspace tests (selftests/vmemcache and
 * tools/testing): xorshift64*, reproducible from a seed.
 */
#ifndef VMC_COMMON_XORSHIFT_H
#define VMC_COMMON_XORSHIFT_H

#include <stdint.h>

/**
 * vmc_xorshift64s() - the next number of a xorshift64* sequence
 * @state: the sequence's state, not 0; advanced
 *
 * Return: the next pseudo-random number.
 */
static inline uint64_t vmc_xorshift64s(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

#endif /* VMC_COMMON_XORSHIFT_H */
