import CLinux
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What full Foundation's `Thread` gave: a detached OS thread with a name (and a stack size).
public enum OSThread {
    /// The closure the new thread runs, passed through `pthread_create`'s single pointer.
    private final class Start {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts a detached thread running `body`; returns its id. `name` is what `top -H` and
    /// /proc/<pid>/task/<tid>/comm show, cut to the kernel's 15 bytes. `stackSize` 0: the default.
    @discardableResult
    public static func start(name: String, stackSize: Int = 0, _ body: @escaping @Sendable () -> Void) -> pthread_t {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        if stackSize > 0 { pthread_attr_setstacksize(&attributes, stackSize) }
        let context = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, &attributes, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            let name = Array(start.name.utf8.prefix(15)) + [0]
            name.withUnsafeBufferPointer { pointer in
                pointer.withMemoryRebound(to: CChar.self) { _ = pthread_setname_np(pthread_self(), $0.baseAddress!) }
            }
            start.body()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Start>.fromOpaque(context).release()
            fatalError("pthread_create (\(name)): \(String(cString: strerror(result)))")
        }
        return thread
    }

    /// True when the calling thread is `thread`.
    @inline(__always)
    public static func isCurrent(_ thread: pthread_t) -> Bool { pthread_equal(pthread_self(), thread) != 0 }
}

/// A mutex with a condition variable: what `NSCondition` gave (Synchronization's `Mutex` has no
/// condition). Timed waits run on CLOCK_MONOTONIC, so a wall-clock step neither shortens nor stretches them.
public final class Condition: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }
    /// Wakes one waiter (call with the lock held).
    public func signal() { pthread_cond_signal(condition) }
    /// Wakes every waiter (call with the lock held).
    public func broadcast() { pthread_cond_broadcast(condition) }
    /// Waits for a signal (with the lock held; it is held again on return). Wakes spuriously at times,
    /// so callers wait in a loop on their predicate.
    public func wait() { pthread_cond_wait(condition, mutex) }

    /// A point in time for `wait(until:)`.
    public struct Deadline: Sendable {
        fileprivate let time: timespec

        /// `seconds` from now (clamped to 0 … about 292 years).
        public init(secondsFromNow seconds: Double) {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            let wait = seconds.isFinite ? min(max(seconds, 0), 9.2e9) : 9.2e9
            let whole = Int(wait)
            var nanos = now.tv_nsec + Int((wait - Double(whole)) * 1e9)
            var secs = now.tv_sec + whole
            if nanos >= 1_000_000_000 { nanos -= 1_000_000_000; secs += 1 }
            time = timespec(tv_sec: secs, tv_nsec: nanos)
        }
    }

    /// Waits for a signal or `deadline`; false when the deadline passed. Like `wait()`, with the lock held.
    public func wait(until deadline: Deadline) -> Bool {
        var time = deadline.time
        return pthread_cond_timedwait(condition, mutex, &time) != ETIMEDOUT
    }
}
