//! Native timing of the `adam` lab's numerics per slider event: `cargo run --release --example
//! adam_timing`. The budget is 8 ms per event in the browser, drawing included.
use flowlab::math::adam::batch::{self, Model, Problem, Update};
use flowlab::math::adam::hessian::{self, AdamRun, Noise, Regime};
use flowlab::math::adam::moments;
use std::hint::black_box;
use std::time::Instant;

/// Minimum and median over `reps` runs, in ms (on a shared machine the minimum is the better
/// estimate of the cost itself; the median shows the contention).
fn time<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, f64) {
    let mut ts: Vec<f64> = (0..reps)
        .map(|_| {
            let t0 = Instant::now();
            black_box(f());
            t0.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ts.sort_by(f64::total_cmp);
    (ts[0], ts[reps / 2])
}

fn report(name: &str, (min, med): (f64, f64)) {
    println!("{name:62} min {min:7.3} ms, median {med:7.3} ms");
}

fn main() {
    let bs = batch::log_grid(1.0, 1e6, 200);
    let problems = [
        ("uniform d=8 ρ=.5 σ/g=10", Problem::uniform(8, 0.5, 10.0).unwrap(), 0.5),
        ("toy2d", Problem::toy2d_default(), 0.5),
        ("kink: uniform d=64 ρ=.95 σ/g=100 ε=1e-3", Problem::uniform(64, 0.95, 100.0).unwrap(), 1e-3),
    ];
    for (name, p, eps) in &problems {
        let u = Update::SoftSign(*eps);
        report(&format!("{name}: exact curve, 200 B"), time(51, || batch::curve(p, u, Model::Exact, &bs)));
        report(
            &format!("{name}: exact + post + SGD curves, 200 B"),
            time(51, || {
                (
                    batch::curve(p, u, Model::Exact, &bs),
                    batch::curve(p, u, Model::MeanField, &bs),
                    batch::curve(p, Update::Sgd, Model::Exact, &bs),
                )
            }),
        );
        report(&format!("{name}: summary (peaks, surge, readouts)"), time(51, || batch::batch_summary(p, u, 64.0)));
        report(
            &format!("{name}: trade-off points, 200 B"),
            time(51, || bs.iter().map(|&b| batch::tradeoff(p, u, Model::Exact, b)).collect::<Vec<_>>()),
        );
    }
    let a: Vec<f64> = (0..200).map(|k| -6.0 + 12.0 * k as f64 / 199.0).collect();
    report("S-curves and bells, 200 a (exact, clip, post)", time(51, || moments::s_curves(0.4, &a)));

    let noise = Noise { regime: Regime::Both, sig_theta: 0.1, sig_r: 1.0, batch: 4.0, offset: [0.2, 0.0] };
    let h = hessian::hessian(100.0, 30.0).unwrap();
    report("hessian: summary", time(101, || hessian::hessian_summary(100.0, 30.0, &noise)));
    report("hessian: cond against φ, 181 angles", time(101, || hessian::cond_curve(100.0, &noise, 181)));
    report("hessian: cloud of 2000 points", time(51, || hessian::cloud(&h, &noise, 2000, 1)));
    report("hessian: Adam run, 2000 steps (default)", time(21, || AdamRun::new(1, 2000, 1e-3, 400)));
    report("hessian: Adam run, 20000 steps (slider max)", time(11, || AdamRun::new(1, 20000, 1e-3, 400)));
    let run = AdamRun::new(1, 20000, 1e-3, 400).unwrap();
    report(
        "hessian: re-read a run for new κ/φ/σ (√v̂ + 400-point trace)",
        time(101, || (run.sqrt_v_hat(&h, &noise), run.trace(&h, &noise))),
    );
}
