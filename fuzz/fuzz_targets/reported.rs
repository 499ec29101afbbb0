//! A county's reported figures (published-layout workbook or evaluate JSON) on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = dudao_fuzz::checked(dudao_fuzz::run("reported", data));
});
