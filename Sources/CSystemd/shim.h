#pragma once
// Swift calls sd_journal_sendv itself and sends its own CODE_FILE/CODE_LINE/CODE_FUNC fields; without this define
// the header's macro would stamp every entry with this header's location instead.
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
