import Testing
@testable import BuiltinModules
