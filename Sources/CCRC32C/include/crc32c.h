#pragma once
#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli), as used by iSCSI, ext4 and our journal frames.
/// `crc` is the running value (0 to start); returns the updated value.
/// Uses SSE4.2 when the CPU has it (checked once at run time), otherwise a slicing-by-8 table.
uint32_t copydesk_crc32c(uint32_t crc, const void *data, size_t length);

/// The portable slicing-by-8 path alone, whatever the CPU: lets tests compare it with the hardware path.
uint32_t copydesk_crc32c_portable(uint32_t crc, const void *data, size_t length);

/// 1 when `copydesk_crc32c` uses the SSE4.2 instruction, 0 when it uses the table.
int copydesk_crc32c_hardware_available(void);
