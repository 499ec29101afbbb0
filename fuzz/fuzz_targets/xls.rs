//! The xls workbook reader and the school-row path on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = dudao_fuzz::checked(dudao_fuzz::run("xls", data));
});
