//! The previous 整改台账 read back from arbitrary workbook bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = dudao_fuzz::checked(dudao_fuzz::run("ledger", data));
});
