//! Web systems' “.xls” that is really an HTML table, and the school-row
//! path on what it yields.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = dudao_fuzz::checked(dudao_fuzz::run("html", data));
});
