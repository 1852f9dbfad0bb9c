import CLinux
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A value behind a pthread mutex: what Synchronization's `Mutex` gives, on a lock ThreadSanitizer sees.
/// On Linux `Mutex` is a futex word whose ordering the sanitizer cannot follow, so every access it guards
/// was reported as a race; the pthread mutex is intercepted.
///
/// A reference: copies share one lock. The value and the mutex live in one allocation (a `ManagedBuffer`: the
/// value its header, the mutex its one element), so a lock made per request costs one allocation, and the
/// value is reached through a pointer — an `inout` of a class property would be a dynamic exclusivity access,
/// a runtime call per lock that ThreadSanitizer also reported as made outside the mutex.
///
/// Give it a value with a size: a zero-sized one (`Locked<Void>`) shares its address with the buffer's own
/// fields, and ThreadSanitizer reports its `inout` access as racing with them.
///
/// `@unchecked Sendable`: the value is only reached inside `withLock`, under the mutex.
public struct Locked<Value>: @unchecked Sendable {
    @usableFromInline final class Storage: ManagedBuffer<Value, pthread_mutex_t> {
        deinit {
            _ = withUnsafeMutablePointerToElements { pthread_mutex_destroy($0) }
        }
    }

    @usableFromInline let storage: Storage

    public init(_ initial: Value) {
        storage = unsafeDowncast(Storage.create(minimumCapacity: 1) { _ in initial }, to: Storage.self)
        _ = storage.withUnsafeMutablePointerToElements { pthread_mutex_init($0, nil) }
    }

    /// Runs `body` with the value, holding the lock. Inlinable, so that it is specialized where it is called
    /// (across modules a generic call would move the value and result through witness tables).
    @inlinable @inline(__always)
    public func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        // The pointers stay valid while `storage` lives, which `self` guarantees for this call.
        let (value, mutex) = storage.withUnsafeMutablePointers { ($0, $1) }
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value.pointee)
    }
}
