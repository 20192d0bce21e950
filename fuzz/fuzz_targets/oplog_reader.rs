//! The operation log reader: any bytes give entries and problems, never a panic; a log it finds
//! no problem in is a valid chain.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("oplog.jsonl");
    std::fs::write(&path, data).unwrap();
    let c = costfix_engine::ops::log::read(&path).unwrap();
    if c.problems.is_empty() {
        let mut prev = costfix_engine::ops::log::GENESIS.to_string();
        for (i, (_, e)) in c.entries.iter().enumerate() {
            assert_eq!(e.seq, i as u64 + 1);
            assert_eq!(e.prev, prev);
            assert_eq!(e.compute_hash(), e.hash);
            prev = e.hash.clone();
        }
    }
});
