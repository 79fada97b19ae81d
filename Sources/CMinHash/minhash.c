// MinHash over 64-bit shingle hashes with AVX2, chosen at run time: the package targets baseline x86-64 (SSE2),
// where Swift's SIMD kernel in MinHash.swift runs; AVX2's 256-bit integer lanes and its unsigned 32-bit minimum
// (SSE2 has none) do the same work in about a quarter of the instructions.
//
// h_j(x) = high 32 bits of (a_j·x + b_j) mod 2^64, a_j < 2^32. With x = x_hi·2^32 + x_lo that is
// high32(a_j·x_lo + b_j) + low32(a_j·x_hi) (mod 2^32): adding a multiple of 2^32 never carries out of the high
// half into anything kept. Each 64-bit lane holds one permutation: vpmuludq gives a_j·x_lo, the offset is
// added as 64 bits, and vpmulld of (a_j << 32) with the broadcast x puts low32(a_j·x_hi) in the high half
// (x_hi sits in the odd 32-bit lanes of the broadcast) and 0 in the low half. The running minimum is taken over
// all 32-bit lanes; only the odd ones (the high halves) are kept at the end, the even ones are never read.

#include "cminhash.h"

static void minhash_scalar(const uint64_t *shingles, size_t count, const uint64_t *coefficients,
                           size_t permutations, uint32_t *minima) {
    for (size_t j = 0; j < permutations; j++) {
        uint64_t a = coefficients[j], b = coefficients[permutations + j];
        uint32_t m = UINT32_MAX;
        for (size_t i = 0; i < count; i++) {
            uint32_t h = (uint32_t)((a * shingles[i] + b) >> 32);
            if (h < m) m = h;
        }
        minima[j] = m;
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

// Sixteen permutations per pass over the shingles: four accumulators, the multipliers and offsets read from L1
// (memory operands), so one 64-bit load and broadcast per shingle per pass.
__attribute__((target("avx2")))
static void minhash_avx2(const uint64_t *shingles, size_t count, const uint64_t *coefficients,
                         size_t permutations, uint32_t *minima) {
    const uint64_t *as = coefficients, *bs = coefficients + permutations;
    for (size_t block = 0; block < permutations; block += 16) {
        __m256i a0 = _mm256_loadu_si256((const __m256i *)(as + block));
        __m256i a1 = _mm256_loadu_si256((const __m256i *)(as + block + 4));
        __m256i a2 = _mm256_loadu_si256((const __m256i *)(as + block + 8));
        __m256i a3 = _mm256_loadu_si256((const __m256i *)(as + block + 12));
        __m256i b0 = _mm256_loadu_si256((const __m256i *)(bs + block));
        __m256i b1 = _mm256_loadu_si256((const __m256i *)(bs + block + 4));
        __m256i b2 = _mm256_loadu_si256((const __m256i *)(bs + block + 8));
        __m256i b3 = _mm256_loadu_si256((const __m256i *)(bs + block + 12));
        __m256i s0 = _mm256_slli_epi64(a0, 32), s1 = _mm256_slli_epi64(a1, 32);
        __m256i s2 = _mm256_slli_epi64(a2, 32), s3 = _mm256_slli_epi64(a3, 32);
        __m256i m0 = _mm256_set1_epi32(-1), m1 = m0, m2 = m0, m3 = m0;
        for (size_t i = 0; i < count; i++) {
            __m256i x = _mm256_set1_epi64x((long long)shingles[i]);
            m0 = _mm256_min_epu32(m0, _mm256_add_epi32(_mm256_add_epi64(_mm256_mul_epu32(a0, x), b0), _mm256_mullo_epi32(s0, x)));
            m1 = _mm256_min_epu32(m1, _mm256_add_epi32(_mm256_add_epi64(_mm256_mul_epu32(a1, x), b1), _mm256_mullo_epi32(s1, x)));
            m2 = _mm256_min_epu32(m2, _mm256_add_epi32(_mm256_add_epi64(_mm256_mul_epu32(a2, x), b2), _mm256_mullo_epi32(s2, x)));
            m3 = _mm256_min_epu32(m3, _mm256_add_epi32(_mm256_add_epi64(_mm256_mul_epu32(a3, x), b3), _mm256_mullo_epi32(s3, x)));
        }
        // Odd 32-bit lanes of each accumulator, in permutation order.
        __m256i odd = _mm256_setr_epi32(1, 3, 5, 7, 1, 3, 5, 7);
        __m256i lo = _mm256_permute2x128_si256(_mm256_permutevar8x32_epi32(m0, odd), _mm256_permutevar8x32_epi32(m1, odd), 0x20);
        __m256i hi = _mm256_permute2x128_si256(_mm256_permutevar8x32_epi32(m2, odd), _mm256_permutevar8x32_epi32(m3, odd), 0x20);
        _mm256_storeu_si256((__m256i *)(minima + block), lo);
        _mm256_storeu_si256((__m256i *)(minima + block + 8), hi);
    }
}

// 0: not yet probed, 1: AVX2, 2: none. A benign race: every thread computes the same answer.
static volatile int selected = 0;

int copydesk_minhash_avx2_available(void) {
    int choice = selected;
    if (choice == 0) {
        __builtin_cpu_init();
        choice = __builtin_cpu_supports("avx2") ? 1 : 2;
        __atomic_store_n(&selected, choice, __ATOMIC_RELAXED);
    }
    return choice == 1;
}

void copydesk_minhash_avx2(const uint64_t *shingles, size_t count, const uint64_t *coefficients,
                           size_t permutations, uint32_t *minima) {
    if (copydesk_minhash_avx2_available() && permutations % 16 == 0) {
        minhash_avx2(shingles, count, coefficients, permutations, minima);
    } else {
        minhash_scalar(shingles, count, coefficients, permutations, minima);
    }
}

#else

int copydesk_minhash_avx2_available(void) { return 0; }

void copydesk_minhash_avx2(const uint64_t *shingles, size_t count, const uint64_t *coefficients,
                           size_t permutations, uint32_t *minima) {
    minhash_scalar(shingles, count, coefficients, permutations, minima);
}

#endif
