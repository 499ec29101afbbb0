//! The plan YAML: parse, profile, cross-checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = dudao_fuzz::checked(dudao_fuzz::run("plan", data));
});
