#pragma once
#include <stdint.h>

/// Starts writeback of a file range without waiting for it (`sync_file_range(SYNC_FILE_RANGE_WRITE)`), so the
/// disk works on a batch's first frames while the rest are still being encoded. Durability still comes from the
/// `fdatasync` after it. Returns 0 or -1 with errno set. Glibc's declaration is hidden from Swift (_GNU_SOURCE).
int copydesk_start_writeback(int fd, int64_t offset, int64_t length);
