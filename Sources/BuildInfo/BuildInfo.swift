/// What this binary was built from. `commit` and `date` come from a file Sources/BuildInfoPlugin generates at
/// build time (the git commit, "-dirty" when the sources differ from it, "unknown" outside a checkout; the
/// UTC time that commit was first built here).
public enum BuildInfo {}
