//! Deterministic sample users for userio's examples, tests and benchmarks.
//!
//! [`Generator`] yields realistic users from a seed: the same seed gives the same users on
//! every machine. Two shapes are produced:
//!
//! - [`Shape::Import`]: Auth0's bulk-import format (every user passes the validator);
//! - [`Shape::Profile`]: users as Auth0's export jobs and search return them (`user_id` with
//!   the `auth0|` prefix, `identities`, `created_at`, `logins_count`, …).
//!
//! ```
//! use userio_testkit::{Generator, Shape};
//! let users: Vec<_> = Generator::new(7, Shape::Import).take(3).collect();
//! assert_eq!(users.len(), 3);
//! assert!(users[0]["email"].as_str().unwrap().contains('@'));
//! ```

pub mod expr_bench;

use serde_json::{Map, Value, json};

/// Which record shape to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Auth0 bulk-import users.
    Import,
    /// Auth0 user profiles, as exported.
    Profile,
}

/// An endless, deterministic stream of users.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: SplitMix64,
    shape: Shape,
    index: u64,
}

const GIVEN: &[&str] = &[
    "Jane", "John", "Amélie", "Zoë", "Mohammed", "Wei", "Olga", "Carlos", "Aiko", "Liam", "Emma",
    "Noah", "Sofía", "Lukas", "Priya", "Chloé", "Mateo", "Hana", "Oliver", "Fatima", "José",
    "Ingrid", "Kwame", "Yuki", "Anna", "Björn", "Élodie", "Ravi", "Mia", "Tomás",
];
const FAMILY: &[&str] = &[
    "Smith",
    "Doe",
    "Müller",
    "García",
    "Nakamura",
    "O'Brien",
    "Dubois",
    "Kowalski",
    "Rossi",
    "Johansson",
    "Okafor",
    "Chen",
    "Silva",
    "Novák",
    "Haddad",
    "Petrov",
    "Kim",
    "Nguyen",
    "Fernández",
    "Schmidt",
    "Andersen",
    "Costa",
    "Ivanova",
    "Patel",
    "Lefèvre",
];
const DOMAINS: &[&str] =
    &["example.com", "example.org", "mail.example.net", "corp.example.io", "exampleco.com"];
const PLANS: &[&str] = &["free", "silver", "gold", "platinum"];
const ROLES: &[&str] = &["admin", "editor", "viewer", "billing", "support"];
const CITIES: &[&str] =
    &["Paris", "Seattle", "Berlin", "São Paulo", "Tokyo", "Lagos", "Zürich", "Montréal"];
const LANGS: &[&str] = &["en", "fr", "de", "es", "ja", "pt-BR"];
const CONNECTIONS: &[&str] = &["Username-Password-Authentication", "legacy-db"];

impl Generator {
    /// A generator for `shape` seeded with `seed`.
    pub fn new(seed: u64, shape: Shape) -> Self {
        Generator { rng: SplitMix64(seed ^ 0x005E_ED0F_u64), shape, index: 0 }
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.rng.next() % items.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.rng.next() % 100 < percent
    }

    fn user(&mut self) -> Value {
        let i = self.index;
        self.index += 1;
        let given = self.pick(GIVEN);
        let family = self.pick(FAMILY);
        let domain = self.pick(DOMAINS);
        let local: String = format!("{given}.{family}")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .chain(".".chars())
            .collect::<String>()
            .to_lowercase();
        let email = format!("{local}{i}@{domain}");
        let id = format!("{:024x}", (self.rng.next() as u128) << 32 | u128::from(i as u32));
        let mut u = Map::new();
        u.insert("email".into(), json!(email));
        u.insert("email_verified".into(), json!(self.chance(70)));
        u.insert("user_id".into(), json!(id));
        if self.chance(30) {
            u.insert("username".into(), json!(format!("{}{}", &local[..local.len().min(8)], i)));
        }
        u.insert("given_name".into(), json!(given));
        u.insert("family_name".into(), json!(family));
        u.insert("name".into(), json!(format!("{given} {family}")));
        u.insert("nickname".into(), json!(given.to_lowercase()));
        u.insert(
            "picture".into(),
            json!(format!("https://cdn.example.com/avatars/{}.png", i % 5000)),
        );
        if self.chance(5) {
            u.insert("blocked".into(), json!(true));
        }
        if self.chance(15) {
            u.insert("phone_number".into(), json!(format!("+1555{:07}", i % 10_000_000)));
            u.insert("phone_verified".into(), json!(self.chance(50)));
        }
        let mut app = Map::new();
        app.insert("plan".into(), json!(self.pick(PLANS)));
        if self.chance(60) {
            let n = 1 + self.rng.next() % 3;
            let roles: Vec<&str> = (0..n).map(|_| self.pick(ROLES)).collect();
            app.insert("roles".into(), json!(roles));
        }
        if self.chance(20) {
            app.insert(
                "customer_id".into(),
                json!(format!("cus_{:08}", self.rng.next() % 100_000_000)),
            );
        }
        if self.chance(85) {
            u.insert("app_metadata".into(), Value::Object(app));
        }
        if self.chance(65) {
            let mut meta = Map::new();
            meta.insert("language".into(), json!(self.pick(LANGS)));
            if self.chance(50) {
                meta.insert(
                    "address".into(),
                    json!({"city": self.pick(CITIES), "zip": format!("{:05}", self.rng.next() % 100_000)}),
                );
            }
            if self.chance(30) {
                meta.insert("newsletter".into(), json!(self.chance(50)));
            }
            if self.chance(10) {
                meta.insert("font_size".into(), json!(10 + self.rng.next() % 10));
            }
            u.insert("user_metadata".into(), Value::Object(meta));
        }
        match self.shape {
            Shape::Import => self.import_extras(&mut u),
            Shape::Profile => self.profile_extras(&mut u),
        }
        Value::Object(u)
    }

    fn import_extras(&mut self, u: &mut Map<String, Value>) {
        match self.rng.next() % 10 {
            0..=3 => {
                u.insert(
                    "password_hash".into(),
                    json!("$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"),
                );
            }
            4 => {
                u.insert(
                    "custom_password_hash".into(),
                    json!({"algorithm": "md5", "hash": {"value": "5f4dcc3b5aa765d61d8327deb882cf99", "encoding": "hex"}}),
                );
            }
            5 => {
                u.insert(
                    "custom_password_hash".into(),
                    json!({"algorithm": "sha256", "hash": {"value": "XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=", "encoding": "base64"}, "salt": {"value": "abc123", "position": "suffix"}}),
                );
            }
            _ => {}
        }
        if self.chance(5) {
            u.insert("mfa_factors".into(), json!([{"totp": {"secret": "JBTWY3DPEHPK3PNP"}}]));
        }
    }

    fn profile_extras(&mut self, u: &mut Map<String, Value>) {
        let id = u["user_id"].as_str().unwrap_or_default().to_owned();
        let connection = if self.chance(90) { CONNECTIONS[0] } else { CONNECTIONS[1] };
        u.insert("user_id".into(), json!(format!("auth0|{id}")));
        u.insert(
            "identities".into(),
            json!([{"connection": connection, "provider": "auth0", "user_id": id, "isSocial": false}]),
        );
        let created = 1_546_300_800 + self.rng.next() % 220_000_000; // 2019-01-01 + ~7 years
        let updated = created + self.rng.next() % 20_000_000;
        u.insert("created_at".into(), json!(iso(created)));
        u.insert("updated_at".into(), json!(iso(updated)));
        let logins = if self.chance(15) { 0 } else { self.rng.next() % 400 };
        if logins > 0 {
            u.insert("logins_count".into(), json!(logins));
            u.insert("last_login".into(), json!(iso(updated)));
            u.insert("last_ip".into(), json!(format!("192.0.2.{}", self.rng.next() % 255)));
        }
    }
}

impl Iterator for Generator {
    type Item = Value;
    fn next(&mut self) -> Option<Value> {
        Some(self.user())
    }
}

/// Formats UNIX seconds as an ISO-8601 UTC timestamp with milliseconds.
pub fn iso(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        (secs * 7) % 1000
    )
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A tiny, fast, well-distributed PRNG (SplitMix64), so no dependency decides our data.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_unique_emails() {
        let a: Vec<_> = Generator::new(1, Shape::Import).take(500).collect();
        let b: Vec<_> = Generator::new(1, Shape::Import).take(500).collect();
        assert_eq!(a, b);
        let mut emails: Vec<_> =
            a.iter().map(|u| u["email"].as_str().unwrap().to_owned()).collect();
        emails.sort();
        emails.dedup();
        assert_eq!(emails.len(), 500);
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(&iso(1_546_300_800)[..19], "2019-01-01T00:00:00");
    }
}
