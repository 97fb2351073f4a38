//! What the 2-D labs share: the surface (built-in or typed), its parameters, the start point and
//! the view window, with their control rows. A lab embeds a [`Plane`] in its parameters and lists
//! the rows from here, so the keys, ranges and behaviour are the same in every 2-D lab.

use crate::fmt::{fmt_num, parse_num};
use crate::i18n::{t, tf};
use crate::lab::{Control, Value};
use crate::math::expr::Program;
use crate::math::surfaces::{Surface, SurfaceKind, SURFACE_OPTIONS};
use crate::math::View;
use std::rc::Rc;

/// A named example formula with a sensible window and start point.
pub struct Example {
    /// URL value of `gallery`.
    pub key: &'static str,
    /// Label.
    pub label: &'static str,
    /// The formula.
    pub expr: &'static str,
    /// View window.
    pub view: View,
    /// Start point.
    pub start: (f64, f64),
}

/// The gallery of typed surfaces (the standard optimisation test functions).
pub const GALLERY: &[Example] = &[
    Example { key: "booth", label: "Booth", expr: "(x + 2*y - 7)^2 + (2*x + y - 5)^2", view: View::new(-10.0, 10.0, -10.0, 10.0), start: (-7.0, -5.0) },
    Example { key: "matyas", label: "Matyas", expr: "0.26*(x^2 + y^2) - 0.48*x*y", view: View::new(-10.0, 10.0, -10.0, 10.0), start: (-8.0, 6.0) },
    Example { key: "three_hump_camel", label: "Three-hump camel", expr: "2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2", view: View::new(-2.5, 2.5, -2.5, 2.5), start: (2.0, -1.5) },
    Example { key: "six_hump_camel", label: "Six-hump camel", expr: "(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2", view: View::new(-2.0, 2.0, -1.2, 1.2), start: (-1.5, 1.0) },
    Example { key: "rastrigin", label: "Rastrigin", expr: "20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)", view: View::new(-5.12, 5.12, -5.12, 5.12), start: (3.3, -2.7) },
    Example { key: "ackley", label: "Ackley", expr: "-20*exp(-0.2*sqrt(0.5*(x^2 + y^2))) - exp(0.5*(cos(2*pi*x) + cos(2*pi*y))) + e + 20", view: View::new(-5.0, 5.0, -5.0, 5.0), start: (3.5, -2.5) },
    Example {
        key: "goldstein_price",
        label: "Goldstein–Price",
        expr: "(1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))*(30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))",
        view: View::new(-2.0, 2.0, -2.0, 2.0),
        start: (-1.5, 1.5),
    },
];

const GALLERY_OPTIONS: &[(&str, &str)] = &[
    ("booth", "Booth"),
    ("matyas", "Matyas"),
    ("three_hump_camel", "Three-hump camel"),
    ("six_hump_camel", "Six-hump camel"),
    ("rastrigin", "Rastrigin"),
    ("ackley", "Ackley"),
    ("goldstein_price", "Goldstein–Price"),
    ("own", "Your own formula"),
];

/// The surface parameters of a 2-D lab.
#[derive(Clone, Debug, PartialEq)]
pub struct Plane {
    /// Which surface.
    pub surface: SurfaceKind,
    /// Condition number of the quadratic.
    pub kappa: f64,
    /// Rotation of the quadratic (degrees).
    pub phi: f64,
    /// Start x (`None`: the surface's default).
    pub x0: Option<f64>,
    /// Start y.
    pub y0: Option<f64>,
    /// The typed formula (used when `surface` is custom); always one that parses.
    pub f: String,
    prog: Rc<Program>,
    /// The view window (`None`: the surface's default).
    pub view: Option<View>,
}

impl Plane {
    /// A plane on `surface`, the quadratic with κ and φ, and Booth as the typed formula.
    pub fn new(surface: SurfaceKind, kappa: f64, phi: f64) -> Self {
        let f = GALLERY[0].expr.to_string();
        let prog = Rc::new(Program::parse(&f).expect("gallery formulas parse"));
        Plane { surface, kappa, phi, x0: None, y0: None, f, prog, view: None }
    }
    /// The gallery entry whose formula is `f`, if any.
    fn gallery_entry(&self) -> Option<&'static Example> {
        GALLERY.iter().find(|e| e.expr == self.f)
    }
    /// The gallery entry in use (only while the surface is the typed one).
    fn example(&self) -> Option<&'static Example> {
        (self.surface == SurfaceKind::Custom).then(|| self.gallery_entry()).flatten()
    }
    /// The loss.
    pub fn objective(&self) -> Surface {
        match self.surface {
            SurfaceKind::Custom => Surface::custom(self.prog.clone()),
            k => Surface::new(k, self.kappa, self.phi),
        }
    }
    /// The start point a learner first sees on this surface.
    pub fn default_start(&self) -> (f64, f64) {
        self.example().map_or(self.surface.default_start(), |e| e.start)
    }
    /// The window a learner first sees on this surface.
    pub fn default_view(&self) -> View {
        self.example().map_or(self.surface.default_view(), |e| e.view)
    }
    /// The start point.
    pub fn start(&self) -> [f64; 2] {
        let (dx, dy) = self.default_start();
        [self.x0.unwrap_or(dx), self.y0.unwrap_or(dy)]
    }
    /// The window shown.
    pub fn view(&self) -> View {
        self.view.unwrap_or(self.default_view())
    }
    /// The box a run must stay in: 50× the view around its centre. Far enough that no converging
    /// path is cut, near enough that a diverging one is stopped long before f64 overflows.
    pub fn divergence_box(&self) -> ([f64; 2], f64) {
        let v = self.view();
        ([(v.xmin + v.xmax) / 2.0, (v.ymin + v.ymax) / 2.0], 50.0 * v.span())
    }

    /// Legend text of a series `name` that ended at a step (`non_finite`: with a NaN or ∞, which on
    /// a typed surface means it stepped where f is undefined).
    pub fn series_label(&self, name: &'static str, ended: Option<(usize, bool)>) -> String {
        match ended {
            Some((n, true)) if self.surface == SurfaceKind::Custom => tf("{} — left the domain at step {}", &[&t(name), &n]),
            Some((n, _)) => tf("{} — diverged at step {}", &[&t(name), &n]),
            None => t(name).to_string(),
        }
    }

    /// Changes what the background shows.
    pub fn background_hash(&self) -> u64 {
        let mut h: u64 = self.surface as u64;
        let mut mix = |x: u64| h = (h ^ x).wrapping_mul(0x100_0000_01b3);
        if self.surface == SurfaceKind::Quadratic {
            mix(self.kappa.to_bits());
            mix(self.phi.to_bits());
        }
        if self.surface == SurfaceKind::Custom {
            self.f.bytes().for_each(|b| mix(b as u64));
        }
        let v = self.view();
        [v.xmin, v.xmax, v.ymin, v.ymax].into_iter().for_each(|x| mix(x.to_bits()));
        h
    }
}

/// Labs whose parameters contain a [`Plane`].
pub trait HasPlane {
    /// The plane.
    fn plane(&self) -> &Plane;
    /// The plane, to change.
    fn plane_mut(&mut self) -> &mut Plane;
}

fn view_text(v: &View) -> String {
    [v.xmin, v.xmax, v.ymin, v.ymax].map(fmt_num).join(",")
}

/// Parses `xmin,xmax,ymin,ymax`.
pub fn parse_view(s: &str) -> Result<View, String> {
    let parts: Vec<&str> = s.split(',').collect();
    if parts.len() != 4 {
        return Err(t("four numbers xmin,xmax,ymin,ymax are needed").to_string());
    }
    let mut v = [0.0; 4];
    for (i, p) in parts.iter().enumerate() {
        v[i] = parse_num(p).filter(|x| x.abs() <= 1e6).ok_or_else(|| tf("'{}' is not a number", &[&p.trim()]))?;
    }
    if !(v[1] - v[0] > 1e-9 && v[3] - v[2] > 1e-9) {
        return Err(t("xmin must be below xmax and ymin below ymax").to_string());
    }
    Ok(View::new(v[0], v[1], v[2], v[3]))
}

fn check_formula(s: &str) -> Option<(usize, String)> {
    Program::parse(s).err().map(|e| (e.col, t(e.msg).to_string()))
}

fn check_view(s: &str) -> Option<(usize, String)> {
    parse_view(s).err().map(|m| (1, m))
}

/// The `surface` row: a new surface resets the start point and the window.
pub const fn surface<P: HasPlane>() -> Control<P> {
    Control::choice(
        "surface",
        "Surface",
        SURFACE_OPTIONS,
        |p: &P| p.plane().surface.key(),
        |p: &mut P, k| {
            if let Some(s) = SurfaceKind::from_key(k) {
                let pl = p.plane_mut();
                if s != pl.surface {
                    pl.surface = s;
                    pl.x0 = None;
                    pl.y0 = None;
                    pl.view = None;
                }
            }
        },
    )
}

/// The `gallery` row: fills the formula, the window and the start point.
pub const fn gallery<P: HasPlane>() -> Control<P> {
    Control::choice(
        "gallery",
        "Example",
        GALLERY_OPTIONS,
        |p: &P| p.plane().gallery_entry().map_or("own", |e| e.key),
        |p: &mut P, k| {
            if let Some(e) = GALLERY.iter().find(|e| e.key == k) {
                let pl = p.plane_mut();
                if let Ok(prog) = Program::parse(e.expr) {
                    pl.f = e.expr.to_string();
                    pl.prog = Rc::new(prog);
                    pl.x0 = None;
                    pl.y0 = None;
                    pl.view = None;
                }
            }
        },
    )
    .visible(|p: &P| p.plane().surface == SurfaceKind::Custom)
    .help("fills the formula, the window and the start point")
}

/// The `f` row: the typed formula; an invalid one is refused and the last valid one kept.
pub const fn formula<P: HasPlane>() -> Control<P> {
    Control::text(
        "f",
        "f(x, y) =",
        |p: &P| p.plane().f.clone(),
        |p: &mut P, s| match Program::parse(s) {
            Ok(prog) => {
                let pl = p.plane_mut();
                pl.f = s.to_string();
                pl.prog = Rc::new(prog);
                Ok(())
            }
            Err(e) => Err(tf("column {}: {}", &[&e.col, &t(e.msg)])),
        },
        check_formula,
    )
    .examples(&["x^2 + 3*sin(y) - min(x, y)", "(1-x)^2 + 100*(y-x^2)^2", "log(x)", "1/(x*y)", "sqrt(x) + y^2", "abs(x) + tanh(y)*e^-pi"])
    .visible(|p: &P| p.plane().surface == SurfaceKind::Custom)
    .help("numbers, x, y, + − * / ^, ( ), sin cos tan exp log sqrt abs tanh sinh cosh atan min max, pi, e")
}

/// The `view` row: the window `xmin,xmax,ymin,ymax`.
pub const fn view<P: HasPlane>() -> Control<P> {
    Control::text(
        "view",
        "view xmin,xmax,ymin,ymax",
        |p: &P| view_text(&p.plane().view()),
        |p: &mut P, s| {
            let v = parse_view(s)?;
            p.plane_mut().view = Some(v);
            Ok(())
        },
        check_view,
    )
    .examples(&["-3,2.5,-1,4", "-10,-9.9,0,0.1", "0.5,9,-10,-0.5", "-1e-3,1e-3,-1e-3,1e-3"])
    .default_from(|p: &P| Value::Text(view_text(&p.plane().default_view())))
}

/// The `kappa` row.
pub const fn kappa<P: HasPlane>() -> Control<P> {
    Control::num("kappa", "condition number κ", 1.0, 1000.0, |p: &P| p.plane().kappa, |p: &mut P, v| p.plane_mut().kappa = v)
        .log()
        .visible(|p: &P| p.plane().surface == SurfaceKind::Quadratic)
        .help("ratio of the Hessian's eigenvalues")
}

/// The `phi` row.
pub const fn phi<P: HasPlane>() -> Control<P> {
    Control::num("phi", "rotation φ (degrees)", 0.0, 90.0, |p: &P| p.plane().phi, |p: &mut P, v| p.plane_mut().phi = v)
        .visible(|p: &P| p.plane().surface == SurfaceKind::Quadratic)
        .help("rotates the quadratic's axes away from the coordinate axes")
}

/// The `x0` row.
pub const fn x0<P: HasPlane>() -> Control<P> {
    Control::num("x0", "start x", -10.0, 10.0, |p: &P| p.plane().start()[0], |p: &mut P, v| p.plane_mut().x0 = Some(v))
        .default_from(|p: &P| Value::Num(p.plane().default_start().0))
        .help("or click the plot")
}

/// The `y0` row.
pub const fn y0<P: HasPlane>() -> Control<P> {
    Control::num("y0", "start y", -10.0, 10.0, |p: &P| p.plane().start()[1], |p: &mut P, v| p.plane_mut().y0 = Some(v))
        .default_from(|p: &P| Value::Num(p.plane().default_start().1))
        .help("or click the plot")
}

/// Moves the start point to a click (rounded to 3 decimals, which is what a URL should carry).
pub fn click<P: HasPlane>(p: &mut P, x: f64, y: f64) -> bool {
    let pl = p.plane_mut();
    pl.x0 = Some((x.clamp(-10.0, 10.0) * 1000.0).round() / 1000.0);
    pl.y0 = Some((y.clamp(-10.0, 10.0) * 1000.0).round() / 1000.0);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gallery_formulas_parse_and_have_their_minima_in_view() {
        let minima = [
            ("booth", (1.0, 3.0), 0.0),
            ("matyas", (0.0, 0.0), 0.0),
            ("three_hump_camel", (0.0, 0.0), 0.0),
            ("six_hump_camel", (0.0898, -0.7126), -1.0316),
            ("rastrigin", (0.0, 0.0), 0.0),
            ("ackley", (0.0, 0.0), 0.0),
            ("goldstein_price", (0.0, -1.0), 3.0),
        ];
        for (key, (x, y), fmin) in minima {
            let e = GALLERY.iter().find(|e| e.key == key).unwrap();
            let p = Program::parse(e.expr).unwrap();
            assert!((p.value(x, y) - fmin).abs() < 1e-3, "{key}: f({x},{y}) = {}", p.value(x, y));
            assert!(e.view.contains(x, y) && e.view.contains(e.start.0, e.start.1), "{key}");
            assert!(GALLERY_OPTIONS.iter().any(|(k, _)| *k == key));
        }
    }

    #[test]
    fn views_parse_strictly() {
        assert_eq!(parse_view("-1,2,-3,4"), Ok(View::new(-1.0, 2.0, -3.0, 4.0)));
        for bad in ["", "1,2,3", "1,0,0,1", "0,1,1,1", "a,b,c,d", "0,1e9,0,1", "nan,1,0,1"] {
            assert!(parse_view(bad).is_err(), "{bad}");
        }
    }
}
