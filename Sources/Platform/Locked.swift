import CLinux
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A value behind a pthread mutex: what Synchronization's `Mutex` gives, on a lock ThreadSanitizer sees.
/// On Linux `Mutex` is a futex word whose ordering the sanitizer cannot follow, so every access it guards
/// was reported as a race; the pthread mutex is intercepted. Uncontended, the two cost about the same.
///
/// `@unchecked Sendable`: the value is only reached inside `withLock`, under `mutex`.
public final class Locked<Value>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Behind a pointer, not a stored property: an `inout` of a class's property is a dynamic exclusivity
    /// access, which costs a runtime call per lock and which ThreadSanitizer instruments apart from the lock
    /// (it reported the access of a zero-sized `Locked<Void>` as made outside the mutex).
    private let value: UnsafeMutablePointer<Value>

    public init(_ initial: Value) {
        value = .allocate(capacity: 1)
        value.initialize(to: initial)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        value.deinitialize(count: 1)
        value.deallocate()
    }

    /// Runs `body` with the value, holding the lock.
    @inline(__always)
    public func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value.pointee)
    }
}
