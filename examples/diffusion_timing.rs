//! Native timing of the diffusion lab's per-frame drawing pieces (density sampling, heat-map
//! upscale) per preset: `cargo run --release --example diffusion_timing`. Browser figures:
//! `scripts/bench.sh`.
use flowlab::labs::diffusion::preset;
use flowlab::math::diffusion::Mixture;
use flowlab::math::View;
use flowlab::plot::raster::{heatmap, sample, sample_grid};
use flowlab::plot::theme::Theme;
use std::time::Instant;

fn time(mut f: impl FnMut()) -> f64 {
    let mut v: Vec<f64> = (0..15)
        .map(|_| {
            let t0 = Instant::now();
            f();
            t0.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v[7]
}

fn main() {
    let theme = Theme::light(1.0);
    let (w, h) = (380u32, 560u32);
    let (sw, sh) = (w / 4, h / 4);
    for key in ["three", "ring", "grid", "moons", "spiral"] {
        let m = Mixture::new(preset(key));
        let v = View::new(-4.0, 4.0, -4.0, 4.0);
        let mut vals = Vec::new();
        let tp = time(|| vals = sample(&v, sw, sh, |x, y| -m.log_density([x, y], 0.3)));
        let ts = time(|| vals = sample_grid(&v, sw, sh, |c, r| m.neg_log_density_grid(c, r, 0.3)));
        let th = time(|| {
            std::hint::black_box(heatmap(&vals, sw, sh, w, h, &theme, 1.0));
        });
        let t0 = time(|| {
            std::hint::black_box(heatmap(&vals, sw, sh, 8, 8, &theme, 1.0));
        });
        println!("fixed cost of a heat map (8x8 output): {t0:.3} ms");
        println!("{key:7} density {sw}x{sh}: pointwise {tp:6.2} ms, grid {ts:6.2} ms   heat map to {w}x{h}: {th:6.2} ms");
    }
}
