import PounceApp
#if canImport(Glibc)
import Glibc
#endif

exit(Pounce.main(arguments: CommandLine.arguments))
