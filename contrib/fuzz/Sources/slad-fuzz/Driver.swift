import CLibFuzzer
import Foundation
import SLAFuzz

/// The target `SLAD_FUZZ_TARGET` names; set once, before libFuzzer calls the first input.
nonisolated(unsafe) private var target: FuzzTarget = .json

@main
enum Driver {
    static func main() {
        let name = ProcessInfo.processInfo.environment["SLAD_FUZZ_TARGET"] ?? ""
        guard let named = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("slad-fuzz: set SLAD_FUZZ_TARGET to one of \(names)\n".utf8))
            exit(2)
        }
        target = named
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { start, count in
            let data = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
            do {
                try target.run(data)
            } catch {
                // A broken invariant is a crash, so that libFuzzer saves the input that broke it.
                fatalError("\(target.rawValue): \(error)")
            }
            return 0
        })
    }
}
