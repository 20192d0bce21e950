//! States (raw `terraform.tfstate` v4, `terraform show -json`, a plan's `prior_state`): any
//! bytes are read or refused, never a panic. What is read keeps its invariants: every address
//! prints and parses back to itself, a resource's values compare to themselves without drift,
//! their canonical JSON (the snapshot form) reads back to the same value, and the state can be
//! estimated.
#![no_main]
use std::str::FromStr;

use costfix_engine::terraform::address::Address;
use costfix_engine::terraform::state::State;
use costfix_engine::ops::{drift, snapshot};
use costfix_engine::{estimate, parse_document, Catalog, Document, InputFile};
use libfuzzer_sys::fuzz_target;

fn check(state: &State<'_>) {
    for r in &state.resources {
        let text = r.address.to_string();
        let back = Address::from_str(&text).expect("a printed address parses");
        assert_eq!(back, r.address, "{text}");
        if let Some(raw) = r.values.as_deref() {
            let v: serde_json::Value = serde_json::from_str(raw.get()).expect("values are JSON");
            assert!(drift::diff(&v, &v).attributes.is_empty(), "self-drift in {text}");
            let canon = snapshot::canonical_json(&v);
            let again: serde_json::Value =
                serde_json::from_str(&canon).expect("canonical JSON is JSON");
            assert_eq!(snapshot::canonical_json(&again), canon, "canonical form is stable");
        }
        if r.deposed.is_none() {
            assert!(state.get(&r.address).is_some(), "{text} is found by address");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(file) = InputFile::from_bytes(std::path::Path::new("fuzz.tfstate"), data.to_vec())
    else {
        return;
    };
    let Ok((doc, _)) = parse_document(&file) else {
        return;
    };
    match &doc {
        Document::State(s) => check(s),
        Document::Plan(p) => {
            if let Ok(Some(s)) = p.prior_state(&file) {
                check(&s);
            }
        }
    }
    thread_local!(static CATALOG: Catalog = Catalog::embedded());
    CATALOG.with(|c| {
        let est = estimate::estimate(&doc, "fuzz.tfstate", None, c, &Default::default(), &Default::default());
        let mut out = Vec::new();
        est.write_json(&mut out).unwrap();
    });
});
