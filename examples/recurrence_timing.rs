//! Native timing of the recurrence lab's numerics (no drawing):
//! `cargo run --release --example recurrence_timing`. The browser budget is 16 ms per slider event
//! including drawing; wasm runs these loops roughly 1.5–2× slower than native.
use flowlab::math::rnn::{run_all, Rnn, Scheme};
use flowlab::math::ssm::{input, legs_online_state, projection, Basis, Disc, Input, Ssm, SsmParams, Warp};
use std::time::Instant;

/// Minimum wall time in ms of `f` over `reps` runs (the machine is shared: the minimum is the
/// figure least disturbed by other processes; the median is printed beside it where it matters).
fn time(reps: usize, f: impl FnMut()) -> f64 {
    times(reps, f).0
}

/// This process's user + system CPU time in ms from /proc/self/stat (Linux; clock ticks of 10 ms,
/// so only long loops give a usable figure). On a machine shared with other builds the wall clock
/// overstates the cost; CPU time does not.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0)
}

/// Mean CPU time in ms of `f` over enough runs to span ~1 s of CPU (None off Linux).
fn cpu_time(mut f: impl FnMut()) -> Option<f64> {
    let start = cpu_ms()?;
    let mut n = 0;
    while cpu_ms()? - start < 1000.0 && n < 10_000 {
        f();
        n += 1;
    }
    Some((cpu_ms()? - start) / n as f64)
}

/// (minimum, median) wall time in ms of `f` over `reps` runs.
fn times(reps: usize, mut f: impl FnMut()) -> (f64, f64) {
    let mut v: Vec<f64> = (0..reps)
        .map(|_| {
            let t0 = Instant::now();
            f();
            t0.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    v.sort_by(f64::total_cmp);
    (v[0], v[reps / 2])
}

fn main() {
    if std::env::args().any(|a| a == "--breakdown") {
        breakdown();
        return;
    }
    println!("rnn: serial + 3 schemes × up to min(T, 64) sweeps (early stop at rounding / divergence)");
    for (t, d, radius, amp) in [
        (512, 8, 0.6, 1.0),
        (512, 8, 0.95, 1.0),
        (512, 8, 0.99, 0.3),
        (512, 8, 1.2, 1.0),
        (512, 8, 1.5, 0.05),
        (512, 8, 1.5, 3.0),
        (64, 3, 0.6, 1.0),
    ] {
        let rnn = Rnn::random(t, d, radius, amp, 1);
        let mut run = run_all(&rnn, 64);
        let (ms, med) = times(21, || run = run_all(&rnn, 64));
        let cpu = cpu_time(|| {
            std::hint::black_box(run_all(&rnn, 64));
        })
        .map_or("n/a".into(), |c| format!("{c:.2} ms"));
        let info: Vec<String> = Scheme::ALL
            .iter()
            .map(|&s| {
                let sw = run.get(s);
                let state = match (sw.converged_at, sw.diverged) {
                    (Some(n), _) => format!("converged@{n}"),
                    (_, Some(dv)) => format!("diverged@{}(t={})", dv.sweep, dv.t),
                    _ => format!("{} sweeps", sw.computed()),
                };
                format!("{} {state}", s.name())
            })
            .collect();
        println!(
            "  T={t:4} d={d} radius={radius:4} amp={amp:4}: CPU {cpu}, wall min {ms:6.2} ms, median {med:6.2} ms   [{}]",
            info.join(", ")
        );
    }
    // One scheme alone (what a lab that computes the shown scheme first pays before its first paint).
    let rnn = Rnn::random(512, 8, 0.6, 1.0, 1);
    let serial = rnn.serial();
    for s in Scheme::ALL {
        let cpu = cpu_time(|| {
            std::hint::black_box(flowlab::math::rnn::sweeps(&rnn, &serial, s, 64));
        })
        .map_or("n/a".into(), |c| format!("{c:.2} ms"));
        println!("  T= 512 d=8 radius= 0.6 amp=   1, {} alone: CPU {cpu}", s.name());
    }
    let rnn = Rnn::literal(512);
    let ms = time(11, || {
        std::hint::black_box(run_all(&rnn, 64));
    });
    println!("  literal T=512: {ms:6.2} ms");

    println!("ssm: system + kernel by three routes + eigenvalues (one change of basis/d/disc/eps/L), then the state at t = L");
    for basis in [Basis::S4, Basis::Diagonal, Basis::Rft] {
        for disc in [Disc::Bilinear, Disc::Zoh, Disc::Euler] {
            if basis == Basis::Rft && disc != Disc::Bilinear {
                continue;
            }
            for (d, l) in [(8, 256), (64, 1024)] {
                let p = SsmParams { basis, d, disc, eps: 0.05, l, rft_a: vec![0.3, -0.2, 0.4], ..SsmParams::default() };
                let mut diff = None;
                let (ms, med) = times(15, || {
                    let Some(sys) = Ssm::new(&p) else { return };
                    let k = sys.kernels(l);
                    std::hint::black_box(sys.eigenvalues());
                    diff = k.max_route_diff();
                });
                let cpu = cpu_time(|| {
                    let sys = Ssm::new(&p).expect("system");
                    std::hint::black_box((sys.kernels(l), sys.eigenvalues()));
                })
                .map_or("n/a".into(), |c| format!("{c:.2} ms"));
                let u = input(Input::Chirp, l, 0, &[]);
                let sys = Ssm::new(&p).expect("system");
                let st = time(15, || {
                    std::hint::black_box(sys.state_after(&u, l));
                });
                println!(
                    "  {:8} {:8} d={d:2} L={l:4}: CPU {cpu}, wall min {ms:6.2} ms, median {med:6.2} ms; state at t=L {st:5.2} ms; max route diff {diff:.2e}",
                    basis.name(),
                    if basis == Basis::Rft { "-" } else { disc.name() },
                    diff = diff.unwrap_or(f64::NAN)
                );
            }
        }
    }
    let u = input(Input::Chirp, 1024, 0, &[]);
    for (name, f) in [
        ("legs_online exact projection d=64 t=1024", Box::new(|| projection(&u, 1024, 64, Warp::Uniform)) as Box<dyn Fn() -> Vec<f64>>),
        ("legs_online bilinear recurrence d=64 t=1024", Box::new(|| legs_online_state(&u, 1024, 64, Disc::Bilinear))),
        ("s4 warped projection d=64 t=1024", Box::new(|| projection(&u, 1024, 64, Warp::Exp(0.05)))),
    ] {
        println!(
            "  {name}: {:.2} ms",
            time(15, || {
                std::hint::black_box(f());
            })
        );
    }
}

#[allow(dead_code)]
fn breakdown() {
    use flowlab::math::rnn::sweeps;
    use flowlab::math::scan::{blelloch, serial, Pyramid};
    let rnn = Rnn::random(512, 8, 0.6, 1.0, 1);
    let ser = rnn.serial();
    for s in Scheme::ALL {
        let ms = time(11, || {
            std::hint::black_box(sweeps(&rnn, &ser, s, 64));
        });
        println!("  {}: {ms:.2} ms", s.name());
    }
    for n in [8usize, 16, 32, 48, 64] {
        let ms = time(5, || {
            std::hint::black_box(sweeps(&rnn, &ser, Scheme::Plain, n));
        });
        println!("  plain {n} sweeps: {ms:.2} ms");
    }
    let m = rnn.a().repeat(512);
    let b = rnn.u().to_vec();
    let p = Pyramid::new(8, &m);
    println!(
        "  pyramid build {:.3} ms",
        time(11, || {
            std::hint::black_box(Pyramid::new(8, &m));
        })
    );
    println!(
        "  pyramid solve {:.3} ms",
        time(11, || {
            std::hint::black_box(p.solve(&b));
        })
    );
    println!(
        "  blelloch {:.3} ms",
        time(11, || {
            std::hint::black_box(blelloch(8, &m, &b));
        })
    );
    println!(
        "  serial scan {:.3} ms",
        time(11, || {
            std::hint::black_box(serial(8, &m, &b));
        })
    );
    println!(
        "  rnn serial {:.3} ms",
        time(11, || {
            std::hint::black_box(rnn.serial());
        })
    );
    let z: Vec<f64> = (0..4096).map(|i| i as f64 * 0.001).collect();
    println!(
        "  4096 tanh {:.3} ms",
        time(11, || {
            std::hint::black_box(z.iter().map(|v| v.tanh()).sum::<f64>());
        })
    );
}
