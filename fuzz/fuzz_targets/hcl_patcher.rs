//! The patcher: for any `.tf` text and any edit of an attribute value to a literal, the edit is
//! either refused or gives a file that parses, holds the new text at its place, reads the
//! attribute back, and is byte-identical to the original outside the edit.
#![no_main]
use costfix_engine::hcl::edit::{self, Edit, Expect};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let (pick, rest) = data.split_at(2);
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let Ok((body, bom)) = edit::parse(text) else {
        return;
    };
    // Every attribute value span, nested blocks included.
    fn spans(body: &hcl::edit::structure::Body, bom: usize, out: &mut Vec<(String, std::ops::Range<usize>)>) {
        use hcl::edit::Span;
        for s in body.iter() {
            match s {
                hcl::edit::structure::Structure::Attribute(a) => {
                    if let Some(sp) = a.value.span() {
                        out.push((a.key.as_str().to_string(), sp.start + bom..sp.end + bom));
                    }
                }
                hcl::edit::structure::Structure::Block(b) => spans(&b.body, bom, out),
            }
        }
    }
    let mut all = Vec::new();
    spans(&body, bom, &mut all);
    if all.is_empty() {
        return;
    }
    let (key, span) = all[pick[0] as usize % all.len()].clone();
    let values = ["\"gp3\"", "3000", "true", "[\"arm64\"]", "\"a$${b}\\\"c\""];
    let value = values[pick[1] as usize % values.len()];
    let edit = Edit {
        file: "fuzz.tf".into(),
        span: span.clone(),
        new_text: value.to_string(),
        expect: vec![Expect { key, value: 0..value.len() }],
        anchor: None,
    };
    if let Ok(out) = edit::apply_verified(text, &[&edit]) {
        assert!(edit::parse(&out).is_ok());
        assert_eq!(&out[..span.start], &text[..span.start]);
        assert_eq!(&out[span.start + value.len()..], &text[span.end..]);
    }
});
