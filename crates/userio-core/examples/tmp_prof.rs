use serde_json::Value;
use userio_core::expr::{Column, Projected, Tier};
use userio_testkit::{Generator, Shape};
const EXPRS: &[&str] = &[
    "user.email",
    "user.app_metadata.name || user.name",
    "user.given_name + ' ' + user.family_name",
    "user.logins_count > 10 ? 'active' : 'idle'",
    "(user.identities || []).map(i => i.provider).join('|')",
];
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let w: usize = a[1].parse().unwrap();
    let tier = if a[2] == "js" { Tier::Js } else { Tier::Native };
    let reps: usize = a[3].parse().unwrap();
    let hot = a.get(4).is_some_and(|m| m == "hot");
    let users: Vec<Value> = Generator::new(42, Shape::Profile).take(1000).collect();
    let col = Column::with_tier("c", EXPRS[w], tier).unwrap();
    let native = Column::with_tier("c", EXPRS[w], Tier::Native).unwrap();
    let p = Projected::new(std::slice::from_ref(&native), &users).unwrap();
    let mut out = String::new();
    let mut errs = 0;
    for _ in 0..reps + 1 {
        for i in 0..users.len() {
            out.clear();
            let r = if a.get(4).is_some_and(|m| m == "floor") {
                let n = p.get(i, "logins_count").and_then(Value::as_f64).unwrap_or(f64::NAN);
                out.push_str(if n > 10.0 { "active" } else { "idle" });
                Ok(())
            } else if hot {
                col.write_text(&users[i], &mut out)
            } else {
                p.write_text(&col, i, &mut out)
            };
            errs += usize::from(r.is_err());
            std::hint::black_box(&out);
        }
    }
    println!("{errs}");
}
