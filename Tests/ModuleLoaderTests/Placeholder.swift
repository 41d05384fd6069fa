import Testing
@testable import ModuleLoader
