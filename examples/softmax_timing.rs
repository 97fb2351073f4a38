//! Native timing of the softmax lab's small multiples (support raster 256×256 + warped logit grid)
//! per map: `cargo run --release --example softmax_timing`. Browser figures: `scripts/bench.sh`.
use flowlab::lab::{DynLab, Instance};
use flowlab::labs::softmax::Softmax;
use std::time::Instant;

fn main() {
    for (key, values) in [
        ("tau", ["0.5", "2"]),
        ("alpha", ["1.3", "2.4"]),
        ("margin", ["0.1", "0.4"]),
        ("topk", ["1", "3"]),
        ("taylor_order", ["4", "6"]),
        ("perturb", ["gumbel", "gauss"]),
    ] {
        let mut lab = Instance::<Softmax>::default();
        let mut times = Vec::new();
        for k in 0..10 {
            let t0 = Instant::now();
            lab.set_text(key, values[k % 2]).expect("valid");
            times.push(t0.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        println!("{key:13} recompute after a change: median {:6.2} ms, max {:6.2} ms", times[5], times[9]);
    }
}
