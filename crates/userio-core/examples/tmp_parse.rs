use std::hint::black_box;
use std::time::Instant;
use userio_core::query::Query;
fn main() {
    println!(
        "Node {} Clause {} Leaf {} LeafValue {}",
        size_of::<userio_core::query::Node>(),
        size_of::<userio_core::query::Clause>(),
        size_of::<userio_core::query::Leaf>(),
        size_of::<userio_core::query::LeafValue>()
    );
    let only = std::env::args().nth(1);
    for q in [
        "name:jo*",
        "email:\"jane.doe42@example.com\"",
        "_exists_:user_metadata",
        "logins_count:[10 TO *]",
    ] {
        if only.as_deref().is_some_and(|o| o != q) {
            continue;
        }
        let n = 200_000;
        let t = Instant::now();
        for _ in 0..n {
            black_box(Query::parse(black_box(q)).unwrap());
        }
        let p = t.elapsed().as_nanos() as f64 / n as f64;
        println!("{q}: Query::parse {p:.0} ns");
    }
}
#[allow(dead_code)]
fn sizes() {}
