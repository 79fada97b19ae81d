internal import CSystemd

#if canImport(Glibc)
import Glibc
#endif

/// The only code that calls libsystemd (convention 6): everything else in this module goes through these three
/// functions, so the C surface stays small and one place decides how return codes become Swift values.
enum LibSystemd {
    /// `sd_notify(3)` with `unset_environment = 0`: returns the raw result (positive: sent, 0: no `NOTIFY_SOCKET`,
    /// negative: `-errno`).
    static func notify(_ state: String) -> CInt {
        sd_notify(0, state)
    }

    /// `sd_watchdog_enabled(3)` with `unset_environment = 0`: the raw result and the interval in µs.
    static func watchdogEnabled() -> (result: CInt, microseconds: UInt64) {
        var usec: UInt64 = 0
        let result = sd_watchdog_enabled(0, &usec)
        return (result, usec)
    }

    /// `sd_journal_sendv(3)`: one iovec per `KEY=value` field, all pointing into one contiguous buffer.
    ///
    /// The result is returned for completeness only: it is 0 even when no journald listens (the datagram is
    /// dropped), so callers decide journal-or-not from ``JournalStream``, never from this value.
    @discardableResult
    static func journalSend(_ fields: [JournalField]) -> CInt {
        var buffer: [UInt8] = []
        var ranges: [Range<Int>] = []
        buffer.reserveCapacity(fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 1 })
        ranges.reserveCapacity(fields.count)
        for field in fields {
            let start = buffer.count
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(UInt8(ascii: "="))
            buffer.append(contentsOf: field.value.utf8)
            ranges.append(start..<buffer.count)
        }
        return buffer.withUnsafeMutableBytes { bytes -> CInt in
            let base = bytes.baseAddress
            var iovecs = ranges.map { range in
                iovec(iov_base: base.map { $0 + range.lowerBound }, iov_len: range.count)
            }
            return iovecs.withUnsafeMutableBufferPointer { iov in
                sd_journal_sendv(iov.baseAddress, CInt(iov.count))
            }
        }
    }
}
