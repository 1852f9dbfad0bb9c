import FoundationEssentials
import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// Accepting connections under the limits: per client address, and overall across loops (at the limit
/// the longest-idle keep-alive connection of any loop makes room).
extension EventLoop {
    func acceptConnections(_ listenFd: Int32) {
        let proxies = server.configuration.trustedProxies
        for _ in 0..<64 {
            var storage = sockaddr_storage()
            var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept4(listenFd, $0, &len, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
            if fd < 0 { return }
            if draining { Glibc.close(fd); continue }
            let peer = Socket.addressString(storage)
            // A direct client counts from now; a trusted proxy's connections count the client of each request.
            let viaProxy = !proxies.isEmpty && proxies.contains(peer)
            if !viaProxy && !server.addresses.acquire(peer) {
                refuse(fd)
                continue
            }
            if !server.reserveConnection() && !makeRoom() {
                if !viaProxy { server.addresses.release(peer) }
                refuse(fd)
                continue
            }
            Socket.setNoDelay(fd)
            connectionSerial += 1
            let conn = Connection(fd: fd, serial: connectionSerial, loop: self, remoteAddress: peer,
                                  peerIsTrustedProxy: viaProxy, countedAddress: viaProxy ? nil : peer)
            connections[fd] = conn
            register(fd, events: EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue)
        }
    }

    /// At the connection limit: closes the longest-idle connection of any loop and counts the new one
    /// (true), or finds none idle anywhere (false). Another loop's connection is closed on its own thread
    /// a moment later: until then the count may pass the limit by the connections accepted meanwhile.
    private func makeRoom() -> Bool {
        let own = oldestIdle()
        var oldest = own?.idleSince ?? .max
        var elsewhere: EventLoop?
        for loop in server.loops where loop !== self && loop.idleConnections.load(ordering: .relaxed) > 0 {
            let floor = loop.idleFloor.load(ordering: .relaxed)
            if floor < oldest {
                oldest = floor
                elsewhere = loop
            }
        }
        if let loop = elsewhere {
            loop.execute { loop.closeOldestIdle() }
        } else if let own {
            own.close()
        } else {
            return false
        }
        server.addConnection()
        return true
    }

    private func oldestIdle() -> Connection? {
        var oldest: Connection?
        for conn in connections.values where conn.isIdle && conn.idleSince < (oldest?.idleSince ?? .max) {
            oldest = conn
        }
        return oldest
    }

    /// Another loop at the limit asks for room.
    func closeOldestIdle() {
        oldestIdle()?.close()
        refreshIdleFloor()
    }

    /// A connection of this loop became idle now; returns its idle order. Orders compare across loops:
    /// the monotonic time, then this loop's counter for ties within a millisecond.
    func becameIdle() -> Int64 {
        idleOrder &+= 1
        let order = now << 20 | (idleOrder & 0xF_FFFF)
        if idleFloor.load(ordering: .relaxed) == .max { idleFloor.store(order, ordering: .relaxed) }
        return order
    }

    func refreshIdleFloor() {
        idleFloor.store(oldestIdle()?.idleSince ?? .max, ordering: .relaxed)
    }

    /// A short 503 (with its request id, like every response) through the failure responder, then close.
    private func refuse(_ fd: Int32) {
        let response = server.failures.response(.serviceUnavailable)
        clock.refresh()
        var bytes: [UInt8] = []
        ResponseHead.append(response, requestId: random.uuid(), date: clock.httpDate, keepAlive: false,
                            versionMinor: 1, to: &bytes)
        if case .bytes(let body) = response.body { bytes.append(contentsOf: body) }
        bytes.withUnsafeBytes { _ = send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        Glibc.close(fd)
    }
}
