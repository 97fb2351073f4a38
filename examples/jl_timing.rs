//! Native timing of the JL lab's kernel (the same chunked code the browser runs):
//! `cargo run --release --example jl_timing`. Browser figures: `node tests/browser/bench_jl.mjs`.
use flowlab::lab::{parse_query, DynLab, Instance};
use flowlab::labs::jl::Jl;
use std::time::Instant;

fn main() {
    let mut lab = Instance::<Jl>::default();
    lab.apply_query(&parse_query("n=1000&d=1000&k=400"));
    let t0 = Instant::now();
    lab.finish();
    println!("N=1000 d=1000 k=400 from scratch: {:.0} ms", t0.elapsed().as_secs_f64() * 1e3);
    let t0 = Instant::now();
    lab.set_text("k", "500").expect("valid");
    lab.finish();
    println!("k 400 → 500 (100 new rows + statistics): {:.0} ms", t0.elapsed().as_secs_f64() * 1e3);
    if std::env::args().any(|a| a == "--large") {
        let mut big = Instance::<Jl>::default();
        big.apply_query(&parse_query("n=2000&d=10000&k=1000"));
        let t0 = Instant::now();
        big.finish();
        println!("N=2000 d=10000 k=1000: {:.1} s", t0.elapsed().as_secs_f64());
    }
}
