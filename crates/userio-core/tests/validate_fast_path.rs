//! Differential test of the validator's typed fast path and of its worker threads: for
//! every import vector, for generated users (both shapes), for mutated and damaged users
//! and for random users, the report with the fast path on several threads equals the
//! report of the `Value` path alone on one thread, issue for issue (codes, pointers,
//! messages, values, positions), and so do the counts. Inputs of thousands of users span
//! many batches, with duplicates and errors across batch boundaries.

mod common;

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use userio_core::schema::{self, Report, ValidateOptions};
use userio_testkit::{Generator, Shape};

/// The report with the fast path on 3 worker threads, and the `Value` path's on 1 thread.
fn both(input: &[u8], options: &ValidateOptions) -> (Report, Report) {
    let fast = schema::validate_with(
        input,
        &ValidateOptions { fast_path: true, threads: 3, ..options.clone() },
    );
    let slow = schema::validate_with(
        input,
        &ValidateOptions { fast_path: false, threads: 1, ..options.clone() },
    );
    (fast, slow)
}

fn assert_same(input: &[u8], options: &ValidateOptions, what: &str) {
    let (fast, slow) = both(input, options);
    assert_eq!(fast, slow, "fast path or threads changed the report of {what}");
    let fast_inline = schema::validate_with(
        input,
        &ValidateOptions { fast_path: true, threads: 1, ..options.clone() },
    );
    assert_eq!(fast_inline, slow, "fast path changed the report of {what} on one thread");
}

fn array(users: &[String]) -> Vec<u8> {
    format!("[\n{}\n]\n", users.join(",\n")).into_bytes()
}

#[test]
fn every_import_vector() {
    let mut n = 0;
    for path in common::import_inputs() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        for options in [
            ValidateOptions::default(),
            ValidateOptions { check_duplicates: false, ..Default::default() },
            ValidateOptions { max_errors: Some(2), ..Default::default() },
        ] {
            assert_same(&bytes, &options, &name);
        }
        n += 1;
    }
    assert!(n >= 20, "expected the import vectors, found {n}");
}

#[test]
fn generated_users_both_shapes() {
    for shape in [Shape::Import, Shape::Profile] {
        let users: Vec<String> =
            Generator::new(7, shape).take(3000).map(|u| u.to_string()).collect();
        let input = array(&users);
        let (fast, slow) = both(&input, &ValidateOptions::default());
        assert_eq!(fast, slow, "{shape:?}");
        if shape == Shape::Import {
            assert!(fast.is_ok() && fast.warnings.is_empty(), "generated import users are clean");
        }
        // NDJSON too.
        let nd = users.join("\n").into_bytes();
        assert_same(&nd, &ValidateOptions::default(), "ndjson");
    }
}

/// Values of every JSON type, good and bad, for replacing a property.
fn replacements() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(5.0),
        json!(""),
        json!(" "),
        json!("x"),
        json!("true"),
        json!("12"),
        json!("a@example.com"),
        json!("A@EXAMPLE.COM"),
        json!("auth0|abc"),
        json!("has space"),
        json!("+12125550001"),
        json!("+1 212"),
        json!("https://example.com/a.png"),
        json!("/a.png"),
        json!("$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"),
        json!("$2y$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"),
        json!("$2b$99$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"),
        json!("$2b$10$short"),
        json!("abcdefghijklmnopqrstu"),
        json!("zoë"),
        json!("x".repeat(400)),
        json!([]),
        json!([1, 2]),
        json!({}),
        json!({"a": 1}),
        json!({"a.b": 1}),
        json!({"$x": {"y": 1}}),
        json!({"email": "x"}),
        json!({"nested": [{"k$": 1}]}),
        json!([{"totp": {"secret": "JBTWY3DPEHPK3PNP"}}]),
        json!([{"totp": {"secret": "jbtwy3dp"}}]),
        json!([{"phone": {"value": "+12125550001"}}, {"email": {"value": "a@example.com"}}]),
        json!([{"phone": {"value": "12"}}]),
        json!([{"email": {"value": "nope"}}]),
        json!([{"sms": {"value": "+1"}}]),
        json!([{"totp": {"secret": "ABC", "x": 1}}]),
        json!([{"totp": {}}]),
        json!([{}]),
        json!([{"totp": {"secret": "ABC"}, "phone": {"value": "+1"}}]),
        json!([{"totp": "ABC"}]),
        json!([{"totp": {"secret": 5}}]),
        json!(vec![json!({"totp": {"secret": "ABC"}}); 11]),
    ]
}

/// `custom_password_hash` variants: each algorithm, good and bad.
fn custom_hashes() -> Vec<Value> {
    let mut out = vec![
        json!({"algorithm": "md5", "hash": {"value": "5f4dcc3b5aa765d61d8327deb882cf99", "encoding": "hex"}}),
        json!({"algorithm": "md5", "hash": {"value": "5f4dcc3b5aa765d61d8327deb882cf9", "encoding": "hex"}}),
        json!({"algorithm": "md5", "hash": {"value": "5f4dcc3b5aa765d61d8327deb882cf99"}}),
        json!({"algorithm": "md5", "hash": {"value": "5f4dcc3b5aa765d61d8327deb882cf99", "encoding": "HEX"}}),
        json!({"algorithm": "MD5", "hash": {"value": "5f4dcc3b5aa765d61d8327deb882cf99", "encoding": "hex"}}),
        json!({"algorithm": "sha256", "hash": {"value": "XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=", "encoding": "base64"}, "salt": {"value": "abc123", "position": "suffix"}}),
        json!({"algorithm": "sha256", "hash": {"value": "XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=", "encoding": "base64"}, "salt": {"value": "zz", "encoding": "hex", "position": "middle"}}),
        json!({"algorithm": "sha256", "hash": {"value": "XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=", "encoding": "base64"}, "salt": {"position": "prefix"}}),
        json!({"algorithm": "sha1", "hash": {"value": "cg7f42jH39/2EaAU4wNd4s2lKIk=", "encoding": "base64"}, "password": {"encoding": "utf16le"}}),
        json!({"algorithm": "sha1", "hash": {"value": "cg7f42jH39/2EaAU4wNd4s2lKIk=", "encoding": "base64"}, "password": {"encoding": "utf-8"}}),
        json!({"algorithm": "sha512", "hash": {"value": "cg7f42jH39/2EaAU4wNd4s2lKIk=", "encoding": "base64"}, "keylen": 64}),
        json!({"algorithm": "bcrypt", "hash": {"value": "$2y$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"}}),
        json!({"algorithm": "bcrypt", "hash": {"value": "$2y$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K", "encoding": "hex"}}),
        json!({"algorithm": "argon2", "hash": {"value": "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A"}}),
        json!({"algorithm": "argon2", "hash": {"value": "$argon2id$v=19$m=65536,t=2$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A"}, "salt": {"value": "x"}}),
        json!({"algorithm": "pbkdf2", "hash": {"value": "$pbkdf2-sha512$i=100000,l=64$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8AiWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A"}}),
        json!({"algorithm": "pbkdf2", "hash": {"value": "$pbkdf2-SHA512$i=1$c29tZXNhbHQ$iWh06vD8"}}),
        json!({"algorithm": "ldap", "hash": {"value": "{SSHA}MTIzNDU2Nzg5MDEyMzQ1Njc4OTBzYWx0"}}),
        json!({"algorithm": "ldap", "hash": {"value": "{SHA}MTIz"}}),
        json!({"algorithm": "ldap", "hash": {"value": "{CRYPT}$2b$"}}),
        json!({"algorithm": "hmac", "hash": {"value": "XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=", "encoding": "base64", "digest": "sha256", "key": {"value": "secret", "encoding": "utf8"}}}),
        json!({"algorithm": "hmac", "hash": {"value": "XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=", "encoding": "base64", "digest": "sha1", "key": {"value": "zz", "encoding": "hex"}}}),
        json!({"algorithm": "hmac", "hash": {"value": "XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=", "encoding": "base64"}}),
        json!({"algorithm": "hmac", "hash": {"value": "aa", "encoding": "hex", "digest": "SHA256", "key": {"encoding": "utf8"}}}),
        json!({"algorithm": "scrypt", "hash": {"value": "XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=", "encoding": "base64"}, "keylen": 32, "cost": 16384, "blockSize": 8, "parallelization": 1, "salt": {"value": "abc"}}),
        json!({"algorithm": "scrypt", "hash": {"value": "XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=", "encoding": "base64"}, "keylen": 32.0, "cost": 3}),
        json!({"algorithm": "scrypt", "hash": {"value": "XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=", "encoding": "base64"}, "cost": 0, "blockSize": -1}),
        json!({"algorithm": "md4", "hash": "5f4dcc3b5aa765d61d8327deb882cf99"}),
        json!({"algorithm": "md4", "hash": {"value": 5, "encoding": "hex"}}),
        json!({"algorithm": "md4"}),
        json!({"hash": {"value": "aa", "encoding": "hex"}}),
        json!({"algorithm": "md5", "hash": {"value": "aa", "encoding": "hex", "extra": 1}}),
        json!({"algorithm": "md5", "hash": {"value": "aa", "encoding": "hex"}, "encoding": "hex"}),
        json!({"algorithm": "md5", "hash": {"value": "aa", "encoding": "hex"}, "salt": "x"}),
        json!({"algorithm": "md5", "hash": {"value": "aa", "encoding": "hex"}, "salt": {"value": "a", "extra": true}}),
        json!({"algorithm": 5, "hash": null}),
    ];
    out.push(json!([1]));
    out
}

/// Mutated versions of a clean user: every field deleted or replaced by every value, the
/// custom hashes, unknown and read-only keys.
fn mutants(base: &Map<String, Value>) -> Vec<Value> {
    let mut out = Vec::new();
    let fields: Vec<&str> = schema::IMPORT_FIELDS.to_vec();
    for field in &fields {
        let mut u = base.clone();
        u.remove(*field);
        out.push(Value::Object(u));
        for r in replacements() {
            let mut u = base.clone();
            u.insert((*field).to_owned(), r);
            out.push(Value::Object(u));
        }
    }
    for c in custom_hashes() {
        let mut u = base.clone();
        u.remove("password_hash");
        u.insert("custom_password_hash".into(), c.clone());
        out.push(Value::Object(u));
        let mut u = base.clone();
        u.insert(
            "password_hash".into(),
            json!("$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"),
        );
        u.insert("custom_password_hash".into(), c);
        out.push(Value::Object(u));
    }
    for key in ["created_at", "password", "emial", "identities", "x"] {
        let mut u = base.clone();
        u.insert(key.into(), json!("x"));
        out.push(Value::Object(u));
    }
    for key in ["email", "user_id", "blocked", "plan", "a.b"] {
        let mut u = base.clone();
        u.insert("app_metadata".into(), json!({ key: 1 }));
        out.push(Value::Object(u));
    }
    out.push(json!([base.clone()]));
    out.push(json!("just a string"));
    out.push(Value::Null);
    out
}

#[test]
fn mutated_users() {
    let base: Vec<Value> = Generator::new(11, Shape::Import).take(4).collect();
    let mut users: Vec<String> = Vec::new();
    for (i, b) in base.iter().enumerate() {
        let mut b = b.as_object().unwrap().clone();
        // Different base users: with a bcrypt hash, without, with a username.
        if i == 1 {
            b.insert("username".into(), json!("jdoe"));
        }
        if i == 2 {
            b.insert(
                "password_hash".into(),
                json!("$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"),
            );
        }
        users.extend(mutants(&b).iter().map(Value::to_string));
    }
    // Exact duplicates and case-folded duplicates of clean users, mixed with mutants.
    let clean: Vec<String> =
        Generator::new(11, Shape::Import).take(50).map(|u| u.to_string()).collect();
    users.extend(clean.iter().cloned());
    users.extend(clean.iter().take(10).map(|u| u.replacen("\"email\":\"", "\"email\":\"X", 1)));
    users.extend(clean.iter().take(10).map(|u| u.to_uppercase()));
    users.extend(clean.iter().take(10).cloned());
    let input = array(&users);
    for options in [
        ValidateOptions::default(),
        ValidateOptions { check_duplicates: false, ..Default::default() },
        ValidateOptions { max_errors: Some(50), ..Default::default() },
    ] {
        assert_same(&input, &options, "mutated users");
    }
}

/// Raw records the `Value` round trip cannot produce: escapes, repeated keys, odd numbers,
/// deep nesting, bad bytes, whitespace, big users.
#[test]
fn raw_records() {
    let deep = format!(
        "{{\"email\":\"a@example.com\",\"user_metadata\":{}1{}}}",
        "{\"a\":[".repeat(70),
        "]}".repeat(70)
    );
    let big = format!(
        "{{\"email\":\"big@example.com\",\"user_metadata\":{{\"blob\":\"{}\"}}}}",
        "x".repeat(11_000)
    );
    let records: Vec<Vec<u8>> = vec![
        br#"{"email":"a\u0040example.com","user_id":"\u0031"}"#.to_vec(),
        br#"{"email":"A@example.com","user_id":"1"}"#.to_vec(),
        br#"{"email":"esc\/aped@example.com","name":"\ud83d\ude00","app_metadata":{"k\u002ex":1}}"#.to_vec(),
        br#"{"email":"a@example.com","email":"b@example.com"}"#.to_vec(),
        br#"{"email":"c@example.com","app_metadata":{"a":1,"a":{"b.c":2}}}"#.to_vec(),
        br#"{"email":"d@example.com","app_metadata":{"a":{"b.c":2},"a":1}}"#.to_vec(),
        br#"{"email":"e@example.com","user_metadata":{"n":1e400}}"#.to_vec(),
        br#"{"email":"f@example.com","user_metadata":{"n":-0,"m":1.0e-400,"o":18446744073709551616}}"#.to_vec(),
        br#"{"email":"g@example.com","custom_password_hash":{"algorithm":"scrypt","hash":{"value":"XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=","encoding":"base64"},"keylen":3.2e1}}"#.to_vec(),
        br#"{"email":"h@example.com","custom_password_hash":{"algorithm":"scrypt","hash":{"value":"XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=","encoding":"base64"},"keylen":32,"cost":18446744073709551615}}"#.to_vec(),
        b"  {\"email\" : \"i@example.com\" ,\n \"blocked\" :\tfalse }  ".to_vec(),
        b"{\"email\":\"j\xC3@example.com\"}".to_vec(),
        b"{\"email\":\"k@example.com\",\"user_metadata\":{\"\xFF\":1}}".to_vec(),
        br#"{"email":"l@example.com","user_metadata":{"a":1,}}"#.to_vec(),
        br#"{"email":"m@example.com","mfa_factors":[{"totp":{"secret":"JBTWY3DPEHPK3PNP"},"totp":{"secret":"JBTWY3DPEHPK3PNP"}}]}"#.to_vec(),
        br#"{"email":"n@example.com","mfa_factors":[{"totp":{"secret":"JBTWY3DPEHPK3PNP","secret":"x"}}]}"#.to_vec(),
        br#"{"email":"o@example.com","username":"Bob","user_id":"x y"}"#.to_vec(),
        br#"{"email":"p@example.com","username":"bob"}"#.to_vec(),
        br#"{"email":"q@example.com","user_metadata":{"n":1.5e3,"m":-2E-5,"z":0e7,"big":123456789012345678901234,"tiny":1e-310}}"#.to_vec(),
        br#"{"email":"r@example.com","name":"Jos\u00e9 \"JJ\" \ud83d\ude00","nickname":"a\u0001b","given_name":"\/\b\f\n\r\t"}"#.to_vec(),
        br#"{"email":"s@example.com","name":"lone \ud83d here"}"#.to_vec(),
        br#"{"email":"t@example.com","name":"low \ude00 first"}"#.to_vec(),
        b"{\"email\":\"u@example.com\",\"name\":\"raw\ttab\"}".to_vec(),
        br#"{"email":"v@example.com","user_metadata":{"n":01}}"#.to_vec(),
        br#"{"email":"w@example.com","user_metadata":{"n":1.}}"#.to_vec(),
        br#"{"email":"x@example.com","custom_password_hash":{"algorithm":"scrypt","hash":{"value":"XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=","encoding":"base64"},"keylen":32,"cost":16384,"blockSize":8,"parallelization":1,"salt":{"value":"abc"}}}"#.to_vec(),
        br#"{"email":"y@example.com","custom_password_hash":{"algorithm":"hmac","hash":{"value":"XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=","encoding":"base64","digest":"sha256","key":{"value":"s\u0065cret","encoding":"utf8"}}}}"#.to_vec(),
        br#"{"em\u0061il":"z@example.com"}"#.to_vec(),
        deep.into_bytes(),
        big.into_bytes(),
    ];
    // Nesting around serde_json's depth limit (128), in metadata and in the user itself.
    let mut records = records;
    for depth in 123..=130 {
        records.push(
            format!(
                "{{\"email\":\"d{depth}@example.com\",\"user_metadata\":{}1{}}}",
                "{\"a\":".repeat(depth),
                "}".repeat(depth)
            )
            .into_bytes(),
        );
        records.push(
            format!(
                "{{\"email\":\"e{depth}@example.com\",\"app_metadata\":{{\"l\":{}1{}}}}}",
                "[".repeat(depth),
                "]".repeat(depth)
            )
            .into_bytes(),
        );
    }
    let deep_ones: Vec<bool> = records[records.len() - 16..]
        .iter()
        .map(|r| schema::validate(&[b"[", r.as_slice(), b"]"].concat()[..]).is_ok())
        .collect();
    assert!(deep_ones.contains(&true) && deep_ones.contains(&false), "{deep_ones:?}");
    let mut input = b"[\n".to_vec();
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            input.extend_from_slice(b",\n");
        }
        input.extend_from_slice(r);
    }
    input.extend_from_slice(b"\n]");
    assert_same(&input, &ValidateOptions::default(), "raw records");
    // Each alone too (a bad record can end the file early).
    for r in &records {
        let mut one = b"[".to_vec();
        one.extend_from_slice(r);
        one.push(b']');
        assert_same(&one, &ValidateOptions::default(), &String::from_utf8_lossy(r));
        assert_same(r, &ValidateOptions::default(), "ndjson record");
    }
}

fn any_value() -> impl Strategy<Value = Value> {
    let pool = replacements();
    let hashes = custom_hashes();
    prop_oneof![
        4 => proptest::sample::select(pool),
        1 => proptest::sample::select(hashes),
        1 => "[a-zA-Z0-9@.+$|: ]{0,20}".prop_map(Value::from),
    ]
}

fn any_user() -> impl Strategy<Value = Value> {
    let mut keys: Vec<&'static str> = schema::IMPORT_FIELDS.to_vec();
    keys.extend(["emial", "created_at", "password"]);
    let email = prop_oneof![
        3 => "[a-z]{1,6}@(example|x)\\.com".prop_map(Value::from),
        1 => any_value(),
    ];
    (
        proptest::option::weighted(0.9, email),
        proptest::collection::vec((proptest::sample::select(keys), any_value()), 0..6),
    )
        .prop_map(|(email, rest)| {
            let mut m = Map::new();
            if let Some(e) = email {
                m.insert("email".into(), e);
            }
            for (k, v) in rest {
                m.insert(k.to_owned(), v);
            }
            Value::Object(m)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_users_same_report(users in proptest::collection::vec(any_user(), 1..8)) {
        let text: Vec<String> = users.iter().map(Value::to_string).collect();
        let (fast, slow) = both(&array(&text), &ValidateOptions::default());
        prop_assert_eq!(fast, slow);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    /// Byte-level damage to clean users' text: the fast path must never accept what the
    /// `Value` path refuses, nor refuse differently.
    #[test]
    fn damaged_records_same_report(
        seed in 0u64..500,
        edits in proptest::collection::vec(
            (0usize..1000, 0usize..3, proptest::sample::select(b"\"\\{}[],:0e-.+ \t\x01u9".to_vec())),
            1..4,
        ),
    ) {
        let user = Generator::new(seed, Shape::Import).next().unwrap().to_string();
        let mut raw = user.into_bytes();
        for (at, kind, byte) in edits {
            // Next to a structural byte, where damage is most likely to be misread.
            let spots: Vec<usize> = (0..=raw.len())
                .filter(|&i| {
                    let near = |j: usize| raw.get(j).is_some_and(|b| b"{}[],:\"".contains(b));
                    near(i) || i.checked_sub(1).is_some_and(near)
                })
                .collect();
            let at = spots[at % spots.len()];
            match kind {
                0 => raw.insert(at, byte),
                1 if at < raw.len() => raw[at] = byte,
                _ if at < raw.len() => {
                    raw.remove(at);
                }
                _ => raw.push(byte),
            }
        }
        let mut input = b"[".to_vec();
        input.extend_from_slice(&raw);
        input.push(b']');
        let (fast, slow) = both(&input, &ValidateOptions::default());
        prop_assert_eq!(fast, slow, "{}", String::from_utf8_lossy(&raw));
    }
}
