//! Native timing of the attention lab's numerics: `cargo run --release --example attention_timing`.
//! Each figure is CPU time per call in milliseconds: the call is repeated until this thread has
//! used at least 300 ms of CPU (read from /proc/thread-self/schedstat, which the kernel updates at
//! scheduler ticks, hence the long runs), then divided. The build machine is shared: wall-clock
//! figures there measure the neighbours. Without /proc (not Linux) it falls back to wall time.
use flowlab::math::attention::{self, logits, Cache, Config, Map, Mask, Preset, Qkv, Scale};
use std::time::Instant;

/// CPU time of this thread in ms, if the kernel tells.
fn cpu_ms() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(s.split_whitespace().next()?.parse::<f64>().ok()? * 1e-6)
}

/// CPU (or wall) milliseconds per call of `f`.
fn time<T>(_reps: usize, mut f: impl FnMut() -> T) -> f64 {
    let (c0, t0) = (cpu_ms(), Instant::now());
    let mut calls = 0u32;
    loop {
        std::hint::black_box(f());
        calls += 1;
        let wall = t0.elapsed().as_secs_f64() * 1e3;
        let used = match (c0, cpu_ms()) {
            (Some(a), Some(b)) => b - a,
            _ => wall,
        };
        if (used >= 300.0 && calls >= 3) || wall > 20_000.0 {
            return used / calls as f64;
        }
    }
}

fn main() {
    let reps = 15;
    // Calibration: 1e6 multiply-adds in dot products of length 256 from L1.
    let (x, y) = (vec![1.000_001f64; 256], vec![0.999_999f64; 256]);
    let cal = time(reps, || {
        (0..3906).map(|_| std::hint::black_box(&x).iter().zip(std::hint::black_box(&y)).map(|(a, b)| a * b).sum::<f64>()).sum::<f64>()
    });
    println!("calibration: 1e6 multiply-adds (naive dot) {cal:.3} ms");
    let big = attention::Mat::from_fn(256, 256, |i, j| ((i * 7 + j * 3) % 11) as f64 * 0.1);
    let g = time(reps, || big.mul_transpose(&big));
    println!("A·Bᵀ 256×256×256 (16.8e6 multiply-adds): {g:.3} ms");
    for &(n, d, m) in &[(256usize, 64usize, 256usize), (64, 64, 256), (256, 4, 16)] {
        let qkv = Qkv::new(Preset::Seeded(1), n, d);
        let w = attention::omega(Preset::Seeded(1), m, d);
        let sc = Scale::InvSqrtD;
        println!("n = {n}, d = {d}, m = {m}");
        let soft = attention::attention(&qkv, Map::Softmax, sc, Mask::NONE, &w).expect("valid");
        println!("  inputs Q, K, V                     {:7.3}", time(reps, || Qkv::new(Preset::Seeded(1), n, d)));
        println!("  ω (m×d)                            {:7.3}", time(reps, || attention::omega(Preset::Seeded(1), m, d)));
        println!(
            "  softmax matrix                     {:7.3}",
            time(reps, || attention::attention(&qkv, Map::Softmax, sc, Mask::NONE, &w))
        );
        for map in [Map::Elu1, Map::Cos1, Map::Dual, Map::Performer, Map::ExpProj] {
            println!(
                "  {:9} matrix                   {:7.3}",
                map.slug(),
                time(reps, || attention::attention(&qkv, map, sc, Mask::NONE, &w))
            );
        }
        println!("  outputs A·V                        {:7.3}", time(reps, || attention::outputs(&soft.a, &qkv.v)));
        println!(
            "  entropy, max p, 1 − Σp²            {:7.3}",
            time(reps, || {
                (attention::mean_row_entropy(&soft.a), attention::max_p_mean(&soft.a), attention::gradient_factor_mean(&soft.a))
            })
        );
        println!("  singular values, dense (ours)      {:7.3}", time(reps, || attention::singular_values(&soft.a)));
        let dm = soft.a.to_dmatrix();
        println!("  singular values, nalgebra SVD      {:7.3}", time(3, || dm.clone().singular_values()));
        let elu = attention::attention(&qkv, Map::Elu1, sc, Mask::NONE, &w).expect("valid");
        println!("  singular values, elu1 via factors  {:7.3}", time(reps, || elu.singular_values()));
        let perf = attention::attention(&qkv, Map::Performer, sc, Mask::NONE, &w).expect("valid");
        println!("  singular values, performer         {:7.3}", time(reps, || perf.singular_values()));
        let causal = Mask { causal: true, window: 0 };
        println!("  RNN max difference (elu1, causal)  {:7.3}", time(reps, || attention::rnn_max_difference(&qkv, Map::Elu1, sc, 0, &w)));
        for map in [Map::Softmax, Map::Elu1, Map::Performer] {
            let cfg = Config { n, d, map, m, scale: sc, mask: Mask::NONE, preset: Preset::Seeded(1) };
            println!("  summary ({:9}, no mask)         {:7.3}", map.slug(), time(reps, || attention::summary(&cfg)));
            let cfg = Config { mask: causal, ..cfg };
            println!("  summary ({:9}, causal)          {:7.3}", map.slug(), time(reps, || attention::summary(&cfg)));
        }
        // A slider event through the cache: what one parameter change recomputes (no singular
        // values), then the singular-value work in frame-sized budgets.
        let base = Config { n, d, map: Map::Performer, m, scale: sc, mask: Mask::NONE, preset: Preset::Seeded(1) };
        let mut cache = Cache::new();
        let mut flip = false;
        let ev = |cache: &mut Cache, cfg: Config| {
            cache.update(&cfg).expect("valid");
        };
        println!(
            "  event m ↔ m/2 (performer matrix)   {:7.3}",
            time(reps, || {
                flip = !flip;
                ev(&mut cache, Config { m: if flip { m / 2 } else { m }, ..base })
            })
        );
        println!(
            "  event scale (both matrices)        {:7.3}",
            time(reps, || {
                flip = !flip;
                ev(&mut cache, Config { scale: if flip { Scale::None } else { sc }, ..base })
            })
        );
        println!(
            "  event map elu1 ↔ softmax           {:7.3}",
            time(reps, || {
                flip = !flip;
                ev(&mut cache, Config { map: if flip { Map::Elu1 } else { Map::Softmax }, ..base })
            })
        );
        let mut fresh = Cache::new();
        fresh.update(&base).expect("valid");
        let copy = time(reps, || fresh.clone());
        println!("  cache.step(4e6 multiply-adds)      {:7.3}", time(reps, || fresh.clone().step(4e6)) - copy);
        println!("  both spectra to the end            {:7.3}", time(reps, || fresh.clone().finish()) - copy);
        let ns = attention::entropy_curve_ns(n);
        println!(
            "  entropy curve (performer, {} n)     {:7.3}",
            ns.len(),
            time(3, || attention::entropy_curve(&qkv, Map::Performer, sc, Mask::NONE, &w, &ns))
        );
        let out_soft = attention::outputs(&soft.a, &qkv.v);
        let ms = attention::error_curve_ms();
        println!(
            "  error curve ({} m, no mask)         {:7.3}",
            ms.len(),
            time(3, || attention::error_curve(&qkv, Preset::Seeded(1), sc, Mask::NONE, &out_soft, &ms))
        );
        let soft_c = attention::attention(&qkv, Map::Softmax, sc, causal, &w).expect("valid");
        let out_c = attention::outputs(&soft_c.a, &qkv.v);
        println!(
            "  error curve ({} m, causal)          {:7.3}",
            ms.len(),
            time(3, || attention::error_curve(&qkv, Preset::Seeded(1), sc, causal, &out_c, &ms))
        );
    }
    println!("W5 Monte Carlo, n = 512, d = 64, 2000 rows: {:7.3} ms", time(3, || logits::monte_carlo(512, 64, 1.0, 2000, 8620)));
    println!("W5 quantile grid, n = 512:                {:7.3} ms", time(reps, || logits::quantile_grid(512, 1.0)));
}
