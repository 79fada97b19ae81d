// CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF.
//
// The running value passed in and returned is the finished CRC (already xored), so a caller can continue:
// crc(crc(0, a), b) == crc(0, a + b). The SSE4.2 `crc32` instruction computes the same reflected CRC
// without the xors, so both paths share the pre/post inversion.

#include "crc32c.h"

#include <pthread.h>
#include <string.h>

#define POLY 0x82F63B78u

// MARK: - Portable: slicing-by-8

static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void build_table(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = n;
        for (int k = 0; k < 8; k++) {
            crc = (crc & 1) ? (crc >> 1) ^ POLY : crc >> 1;
        }
        table[0][n] = crc;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = table[0][n];
        for (int slice = 1; slice < 8; slice++) {
            crc = table[0][crc & 0xff] ^ (crc >> 8);
            table[slice][n] = crc;
        }
    }
}

static inline uint64_t load_le64(const unsigned char *p) {
    uint64_t value;
    memcpy(&value, p, sizeof value);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    value = __builtin_bswap64(value);
#endif
    return value;
}

uint32_t copydesk_crc32c_portable(uint32_t crc, const void *data, size_t length) {
    pthread_once(&table_once, build_table);
    const unsigned char *p = data;
    uint32_t c = ~crc;
    while (length > 0 && ((uintptr_t)p & 7) != 0) {
        c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
        length--;
    }
    while (length >= 8) {
        uint64_t word = load_le64(p) ^ c;
        c = table[7][word & 0xff] ^ table[6][(word >> 8) & 0xff] ^ table[5][(word >> 16) & 0xff]
            ^ table[4][(word >> 24) & 0xff] ^ table[3][(word >> 32) & 0xff] ^ table[2][(word >> 40) & 0xff]
            ^ table[1][(word >> 48) & 0xff] ^ table[0][word >> 56];
        p += 8;
        length -= 8;
    }
    while (length > 0) {
        c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
        length--;
    }
    return ~c;
}

// MARK: - Hardware: SSE4.2

#if defined(__x86_64__)
#include <nmmintrin.h>

__attribute__((target("sse4.2")))
static uint32_t crc32c_sse42(uint32_t crc, const void *data, size_t length) {
    const unsigned char *p = data;
    uint64_t c = (uint32_t)~crc;
    while (length > 0 && ((uintptr_t)p & 7) != 0) {
        c = _mm_crc32_u8((uint32_t)c, *p++);
        length--;
    }
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, sizeof word);
        c = _mm_crc32_u64(c, word);
        p += 8;
        length -= 8;
    }
    while (length > 0) {
        c = _mm_crc32_u8((uint32_t)c, *p++);
        length--;
    }
    return ~(uint32_t)c;
}

// 0: not yet probed, 1: hardware, 2: portable. A benign race: every thread computes the same answer.
static volatile int selected = 0;

static int probe(void) {
    int choice = selected;
    if (choice == 0) {
        __builtin_cpu_init();
        choice = __builtin_cpu_supports("sse4.2") ? 1 : 2;
        __atomic_store_n(&selected, choice, __ATOMIC_RELAXED);
    }
    return choice;
}

int copydesk_crc32c_hardware_available(void) { return probe() == 1; }

uint32_t copydesk_crc32c(uint32_t crc, const void *data, size_t length) {
    if (probe() == 1) {
        return crc32c_sse42(crc, data, length);
    }
    return copydesk_crc32c_portable(crc, data, length);
}

#else

int copydesk_crc32c_hardware_available(void) { return 0; }

uint32_t copydesk_crc32c(uint32_t crc, const void *data, size_t length) {
    return copydesk_crc32c_portable(crc, data, length);
}

#endif
