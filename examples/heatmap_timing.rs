//! Native timing of the typed-surface heat-map kernel (grid evaluation + colouring) at 512×512:
//! `cargo run --release --example heatmap_timing`. The browser figure is in `scripts/bench.sh`.
use flowlab::math::expr::Program;
use flowlab::math::View;
use flowlab::plot::raster::{heatmap, sample_grid};
use flowlab::plot::theme::Theme;
use std::time::Instant;

fn main() {
    let cases = [
        ("goldstein_price", "(1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))*(30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))"),
        ("ackley", "-20*exp(-0.2*sqrt(0.5*(x^2 + y^2))) - exp(0.5*(cos(2*pi*x) + cos(2*pi*y))) + e + 20"),
    ];
    let view = View::new(-2.0, 2.0, -2.0, 2.0);
    let theme = Theme::light(1.0);
    for (name, src) in cases {
        let prog = Program::parse(src).expect("parses");
        let (mut eval, mut colour) = (Vec::new(), Vec::new());
        for _ in 0..15 {
            let t0 = Instant::now();
            let v = sample_grid(&view, 512, 512, |cols, rows| prog.grid(cols, rows));
            let t1 = Instant::now();
            let r = heatmap(&v, 512, 512, 512, 512, &theme, 1.0);
            let t2 = Instant::now();
            assert_eq!(r.px.len(), 512 * 512 * 3);
            eval.push((t1 - t0).as_secs_f64() * 1e3);
            colour.push((t2 - t1).as_secs_f64() * 1e3);
        }
        eval.sort_by(f64::total_cmp);
        colour.sort_by(f64::total_cmp);
        println!("{name:16} evaluate {:6.2} ms   colour {:6.2} ms   (median of 15, 512×512)", eval[7], colour[7]);
    }
}
