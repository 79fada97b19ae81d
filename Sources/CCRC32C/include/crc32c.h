#pragma once
#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli), as used by iSCSI, ext4 and our journal frames.
/// `crc` is the running value (0 to start); returns the updated value.
uint32_t copydesk_crc32c(uint32_t crc, const void *data, size_t length);
