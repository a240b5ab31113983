#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| probe_core_fuzz::parquet_target(data));
