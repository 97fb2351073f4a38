//! Shared numerics. Nothing here knows about drawing or the browser.

pub mod adam;
pub mod attention;
pub mod diffusion;
pub mod expr;
pub mod fft;
pub mod gaussian;
pub mod jl;
pub mod ode;
pub mod rng;
pub mod rnn;
pub mod scan;
pub mod simplex_opt;
pub mod softmax;
pub mod ssm;
pub mod surfaces;

/// A rectangle in data coordinates: the visible window of a 2-D plot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    /// Smallest x shown.
    pub xmin: f64,
    /// Largest x shown.
    pub xmax: f64,
    /// Smallest y shown.
    pub ymin: f64,
    /// Largest y shown.
    pub ymax: f64,
}

impl View {
    /// A view from its four edges.
    pub const fn new(xmin: f64, xmax: f64, ymin: f64, ymax: f64) -> Self {
        View { xmin, xmax, ymin, ymax }
    }

    /// Whether (x, y) lies inside the view (edges included).
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.xmin && x <= self.xmax && y >= self.ymin && y <= self.ymax
    }

    /// The larger of the two side lengths.
    pub fn span(&self) -> f64 {
        (self.xmax - self.xmin).max(self.ymax - self.ymin)
    }
}
