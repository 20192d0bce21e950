//! SLO budget files: any text is read or refused with a diagnostic, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = costfix_engine::slo::parse("fuzz.hcl", text);
        let _ = costfix_engine::config::parse(std::path::Path::new(".costfix.hcl"), text);
    }
});
