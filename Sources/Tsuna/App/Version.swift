import BuildInfo

/// The release this binary is, and the commit it was built from.
public enum TsunaVersion {
    public static let string = "0.1.0"
    public static var commit: String { BuildInfo.commit }
    public static var buildDate: String { BuildInfo.date }
    /// `tsuna version`'s line.
    public static var description: String { "tsuna \(string) (commit \(commit), built \(buildDate))" }
}
