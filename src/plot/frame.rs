//! Where a chart put its plotting area: lets the UI map a pointer position to data coordinates.

/// Where a 2-D chart put its plotting area: lets the UI map a pointer position to data coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlotFrame {
    /// Backend pixel x range of the plotting area.
    pub px: (i32, i32),
    /// Backend pixel y range of the plotting area (top, bottom).
    pub py: (i32, i32),
    /// Data x range (left, right).
    pub x: (f64, f64),
    /// Data y range (bottom, top).
    pub y: (f64, f64),
}

impl PlotFrame {
    /// Data coordinates of backend pixel (u, v), or `None` outside the plotting area.
    pub fn to_data(&self, u: f64, v: f64) -> Option<(f64, f64)> {
        let (u0, u1) = (self.px.0 as f64, self.px.1 as f64);
        let (v0, v1) = (self.py.0 as f64, self.py.1 as f64);
        if u1 <= u0 || v1 <= v0 || u < u0 || u > u1 || v < v0 || v > v1 {
            return None;
        }
        let x = self.x.0 + (u - u0) / (u1 - u0) * (self.x.1 - self.x.0);
        let y = self.y.1 - (v - v0) / (v1 - v0) * (self.y.1 - self.y.0);
        Some((x, y))
    }
}
