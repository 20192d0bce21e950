//! Plans and states: any bytes are either read or refused with an error, never a panic; what is
//! read can be estimated.
#![no_main]
use costfix_engine::{estimate, parse_document, Catalog, InputFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(file) = InputFile::from_bytes(std::path::Path::new("fuzz.json"), data.to_vec()) else {
        return;
    };
    let Ok((doc, _)) = parse_document(&file) else {
        return;
    };
    thread_local!(static CATALOG: Catalog = Catalog::embedded());
    CATALOG.with(|c| {
        let est = estimate::estimate(&doc, "fuzz.json", None, c, &Default::default(), &Default::default());
        let mut out = Vec::new();
        est.write_json(&mut out).unwrap();
        serde_json::from_slice::<serde_json::Value>(&out).expect("the estimate JSON is valid JSON");
    });
});
