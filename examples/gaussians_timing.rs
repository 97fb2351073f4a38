//! Native timing of the Gaussians lab's numerics (no drawing): what one drag recomputes in each
//! mode, and one animation step of 20,000 particles per flow method:
//! `cargo run --release --example gaussians_timing`.
use flowlab::math::gaussian::*;
use flowlab::math::simplex_opt::{self, Method, Objective};
use std::hint::black_box;
use std::time::Instant;

/// Median wall time of `f` in milliseconds over `reps` runs (after one warm-up run).
fn time(reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut v: Vec<f64> = (0..reps)
        .map(|_| {
            let t0 = Instant::now();
            f();
            t0.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v[reps / 2]
}

fn main() {
    // divergence: the spec's non-commuting case, everything a drag changes.
    let p = Gaussian::from_axes(2, [0.0, 0.0], [1.2, 0.6], 20.0).expect("valid");
    let q = Gaussian::from_axes(2, [1.0, -1.0], [0.4, 1.5], 75.0).expect("valid");
    let s: Vec<f64> = (0..=200).map(|i| -4.0 + 0.04 * i as f64).collect();
    let t = time(1001, || {
        black_box(divergences(&p, &q).expect("ok"));
    });
    println!("divergence  all divergences + OT map          {:8.4} ms", t);
    let t = time(1001, || {
        let ot = ot_map(&p, &q).expect("ok");
        let arrows: Vec<_> = p.quantile_grid(10).into_iter().map(|x| (x, ot.apply(x))).collect();
        black_box((arrows, p.ellipse(1.0, 128), p.ellipse(2.0, 128), q.ellipse(1.0, 128), q.ellipse(2.0, 128)));
    });
    println!("divergence  OT arrows (10x10) + four ellipses {:8.4} ms", t);
    let t = time(1001, || {
        black_box(shift_sweep(&p, &q, &s).expect("ok"));
    });
    println!("divergence  shift sweep, 201 points           {:8.4} ms", t);

    // flow: the spec defaults.
    let target = Gaussian::from_cov(2, [1.0, -0.5], [[1.0, 0.6], [0.6, 2.0]]).expect("valid");
    let init = Gaussian::from_cov(2, [-2.0, 2.0], [[0.3, 0.0], [0.0, 0.1]]).expect("valid");
    let flow = Flow::new(target, init).expect("valid");
    let t = time(1001, || {
        black_box((0..=500).map(|i| flow.moments(0.01 * i as f64).expect("ok").kl).collect::<Vec<_>>());
    });
    println!("flow        KL(q_t||p) curve, 501 times       {:8.4} ms", t);
    let n = 20_000;
    let t = time(21, || {
        black_box(ParticleFlow::new(flow, FlowMethod::ExactScore, n, 0.01, 1).expect("ok"));
    });
    println!("flow        draw {n} particles              {:8.4} ms", t);
    for method in [FlowMethod::ExactScore, FlowMethod::Fitted, FlowMethod::Langevin] {
        let mut pf = ParticleFlow::new(flow, method, n, 0.01, 1).expect("ok");
        let t = time(201, || pf.step().expect("ok"));
        let tk = time(201, || {
            black_box(pf.fitted_kl().expect("ok"));
        });
        println!("flow        one step, {n} {:12} {:8.4} ms  (+ fitted KL dot {:.4} ms)", method.key(), t, tk);
    }
    let t = time(5, || {
        let mut pf = ParticleFlow::new(flow, FlowMethod::ExactScore, n, 0.01, 1).expect("ok");
        pf.advance_to(5.0).expect("ok");
        black_box(pf.particles().len());
    });
    println!("flow        seek t = 5 at dt = 0.01 (500 steps) {:6.2} ms", t);

    // classify: the spec defaults.
    let spec = ClassSpec { delta: [0.9, -0.2], sd: [1.0, 0.8], ang_deg: 30.0, unequal: false, p1: 0.35 };
    for n in [20, 500, 5000] {
        let data = sample_classes(&spec, n, 1).expect("ok");
        let t = time(201, || {
            black_box(fit_classifiers(&sample_classes(&spec, n, 1).expect("ok")).expect("ok"));
        });
        let tm = time(201, || {
            black_box(logistic_mle(&data, MLE_MAX_ITER).expect("ok"));
        });
        let iters = logistic_mle(&data, MLE_MAX_ITER).expect("ok").iterations;
        println!("classify    sample + three fits, n = {n:5}     {:8.4} ms  (MLE alone {:.4} ms, {iters} Newton steps)", t, tm);
    }
    let ns: Vec<usize> = (0..10).map(|i| (10.0 * 500f64.powf(i as f64 / 9.0)).round() as usize).collect();
    let t = time(3, || {
        black_box(learning_curve(&spec, &ns, 20, 1).expect("ok"));
    });
    println!("classify    learning curve, n = {ns:?}, 20 repeats: {:.1} ms", t);
    let f = fit_classifiers(&sample_classes(&spec, 20, 1).expect("ok")).expect("ok").post;
    let t = time(1001, || {
        black_box(population_metrics(&spec, &f).expect("ok"));
    });
    println!("classify    population accuracy + NLL of one rule {:8.4} ms", t);

    // simplex: 1000 steps from the uniform point.
    let objs = [
        Objective::sq(&[1.0, 0.5, -1.0]).expect("ok"),
        Objective::entropy(&[1.0, 0.5, -1.0], 0.5).expect("ok"),
        Objective::kl_softmax(&[0.2, -1.0, 0.7]).expect("ok"),
    ];
    for m in [Method::Fw, Method::Fw2t, Method::Pgd, Method::Eg] {
        let t = time(101, || {
            for o in &objs {
                black_box(simplex_opt::trajectory(o, m, 0.05, 1000).expect("ok"));
            }
        });
        println!("simplex     {:6} 1000 steps x 3 objectives  {:8.4} ms", m.key(), t);
    }
}
