import Glibc
import SystemPackage
import CopydeskCore

/// The only code that reads `errno`: runs `body` until it stops failing with `EINTR`, throwing any other
/// failure as an `Errno`. Calls that `SystemPackage` lacks (inotify, sockets, `renameat`) go through here.
@discardableResult
func valueOrErrno<Result: FixedWidthInteger>(_ body: () -> Result) throws(Errno) -> Result {
    while true {
        let result = body()
        guard result == -1 else { return result }
        let code = errno
        if code == EINTR { continue }
        throw Errno(rawValue: code)
    }
}

/// Wall-clock time at the edge; the core takes time as a parameter.
func now() -> Timestamp {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
}

/// Monotonic seconds, for intervals that must not jump with the wall clock.
func monotonicSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

