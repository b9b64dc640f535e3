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
fn prune(v: &mut Value, w: usize) {
    let o = v.as_object_mut().unwrap();
    if w == 1 && !o.contains_key("app_metadata") {
        o.insert("app_metadata".into(), serde_json::json!({}));
    }
    if w == 99 {
        if let Some(Value::Object(a)) = o.get_mut("app_metadata") {
            let name = a.get("name").cloned();
            *a = serde_json::Map::new();
            if let Some(n) = name {
                a.insert("name".into(), n);
            }
        }
    }
    if w == 4 {
        if let Some(Value::Array(ids)) = o.get_mut("identities") {
            for i in ids {
                if let Value::Object(m) = i {
                    let p = m.get("provider").cloned();
                    *m = serde_json::Map::new();
                    if let Some(p) = p {
                        m.insert("provider".into(), p);
                    }
                }
            }
        }
    }
}
fn time(p: &Projected, col: &Column, reps: usize) -> f64 {
    let mut out = String::new();
    let t = std::time::Instant::now();
    for _ in 0..reps {
        for i in 0..p.len() {
            out.clear();
            let _ = std::hint::black_box(p.write_text(col, i, &mut out));
        }
    }
    t.elapsed().as_nanos() as f64 / (reps * p.len()) as f64
}
fn main() {
    let w: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    let users: Vec<Value> = Generator::new(42, Shape::Profile).take(1000).collect();
    let mut pruned = users.clone();
    pruned.iter_mut().for_each(|u| prune(u, w));
    let col = Column::with_tier("c", EXPRS[w], Tier::Native).unwrap();
    let a = Projected::new(std::slice::from_ref(&col), &users).unwrap();
    let b = Projected::new(std::slice::from_ref(&col), &pruned).unwrap();
    for _ in 0..5 {
        println!("full {:.1}  pruned {:.1}", time(&a, &col, 2000), time(&b, &col, 2000));
    }
}
