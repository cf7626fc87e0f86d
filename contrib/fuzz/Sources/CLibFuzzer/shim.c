// The header is all there is: libFuzzer itself comes with -sanitize=fuzzer.
