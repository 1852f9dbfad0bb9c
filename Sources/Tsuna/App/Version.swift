/// The release this binary is.
public enum TsunaVersion {
    public static let string = "0.1.0"
}
