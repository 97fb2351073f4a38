//! One arrow field for every lab: each arrow from its tail to its tip in data coordinates, the
//! head a quarter of its length, drawn as one stroke (tail → tip → wing, back to the tip → the
//! other wing): one canvas path per arrow, and the retraced segment is not drawn darker.

use super::{DrawResult, XyChart};
use plotters::prelude::*;

/// Draws arrows `(tail, tip)`; zero-length and non-finite ones are skipped.
pub fn quiver<DB: DrawingBackend>(
    chart: &XyChart<'_, DB>,
    arrows: impl IntoIterator<Item = ([f64; 2], [f64; 2])>,
    style: ShapeStyle,
) -> DrawResult<(), DB> {
    let plot = chart.plotting_area();
    for (tail, tip) in arrows {
        let (dx, dy) = (tip[0] - tail[0], tip[1] - tail[1]);
        let len = dx.hypot(dy);
        if !(len.is_finite() && len > 0.0 && tail.iter().chain(&tip).all(|c| c.is_finite())) {
            continue;
        }
        let (ux, uy) = (dx / len, dy / len);
        let head = 0.25 * len;
        let wing = |sgn: f64| (tip[0] - head * (ux + sgn * 0.5 * uy), tip[1] - head * (uy - sgn * 0.5 * ux));
        let t = (tip[0], tip[1]);
        plot.draw(&PathElement::new(vec![(tail[0], tail[1]), t, wing(1.0), t, wing(-1.0)], style))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::backend::{count, Recorder};

    /// The speed claim, counted: one path per drawn arrow, nothing else.
    #[test]
    fn one_path_per_arrow() {
        let mut ops = Vec::new();
        {
            let area = Recorder::new(&mut ops, 200, 200).into_drawing_area();
            let chart = ChartBuilder::on(&area).build_cartesian_2d(-1.0..1.0, -1.0..1.0).unwrap();
            let arrows = (0..50).map(|k| {
                let x = -0.9 + 0.035 * k as f64;
                ([x, 0.0], [x + 0.03, 0.02])
            });
            let junk = [([0.0, 0.0], [0.0, 0.0]), ([f64::NAN, 0.0], [0.1, 0.1])];
            quiver(&chart, arrows.chain(junk), BLACK.stroke_width(1)).unwrap();
        }
        let c = count(&ops);
        assert_eq!(c.paths, 50);
        assert_eq!(c, crate::plot::backend::Counts { paths: 50, ..Default::default() });
    }
}
