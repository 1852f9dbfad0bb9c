/// A unit of work for the writer thread, type-erased so jobs of any result type share one queue.
protocol AnyWriteJob: AnyObject {
    /// Runs the job's body on the writer connection (inside the transaction the writer opened).
    func perform(_ c: Connection) throws
    /// Delivers the outcome: nil means committed. Called exactly once, from the writer thread.
    func finish(_ error: Error?)
}

/// A job whose outcome is handed to `completion` (a continuation resume or a semaphore signal).
final class WriteJob<T>: AnyWriteJob {
    private var body: ((Connection) throws -> T)?
    private var value: T?
    private var completion: ((Result<T, Error>) -> Void)?

    init(body: @escaping (Connection) throws -> T, completion: @escaping (Result<T, Error>) -> Void) {
        self.body = body
        self.completion = completion
    }

    func perform(_ c: Connection) throws {
        guard let body else { throw StoreError(code: -1, message: "write job ran twice") }
        value = try body(c)
    }

    func finish(_ error: Error?) {
        // Drop the body first: writeSync lends a non-escaping closure that must be released before the
        // waiting caller resumes.
        body = nil
        guard let completion else { return }
        self.completion = nil
        if let error {
            completion(.failure(error))
        } else if let value {
            self.value = nil
            completion(.success(value))
        } else {
            completion(.failure(StoreError(code: -1, message: "write job finished without running")))
        }
    }

    /// Releases the body without running it (the queue refused the job).
    func discard() {
        body = nil
        completion = nil
    }
}
