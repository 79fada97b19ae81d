#pragma once
#include <stddef.h>
#include <stdint.h>

/// 1 when the CPU runs AVX2 (checked once, at the first call), so `copydesk_minhash_avx2` may be called.
int copydesk_minhash_avx2_available(void);

/// The MinHash kernel of `MinHasher` with AVX2: for every permutation j < `permutations` (a multiple of 16),
/// minima[j] = min over the shingles x of ⌊((a_j·x + b_j) mod 2^64) / 2^32⌋, where `coefficients` holds the
/// `permutations` 32-bit multipliers a_j (as 64-bit values) followed by the `permutations` offsets b_j.
/// `minima` is written, not read. Call only when `copydesk_minhash_avx2_available()` returned 1; on a CPU
/// without AVX2 (or not x86-64) it computes the same values one at a time.
void copydesk_minhash_avx2(const uint64_t *shingles, size_t count, const uint64_t *coefficients,
                           size_t permutations, uint32_t *minima);
