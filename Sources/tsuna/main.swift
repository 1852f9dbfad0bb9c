import FoundationEssentials
import Tsuna
#if canImport(Glibc)
import Glibc
#endif

// The thin executable: everything lives in the Tsuna library, which tests drive directly.
let status = await TsunaCommand.run(Array(CommandLine.arguments.dropFirst()))
exit(status)
