//! ODE steppers for planar systems: the classical RK4 step (one for every lab) and adaptive
//! Runge–Kutta (Dormand–Prince 5(4)) for autonomous ODEs ẏ = f(y).

use nalgebra::Vector2;

type V = Vector2<f64>;

/// One classical Runge–Kutta step of ẋ = f(x, t) from (x, t) with step h; `None` as soon as `f`
/// is (the field undefined, or a stop condition of the caller).
pub fn rk4_step(f: impl Fn([f64; 2], f64) -> Option<[f64; 2]>, x: [f64; 2], t: f64, h: f64) -> Option<[f64; 2]> {
    let k1 = f(x, t)?;
    let k2 = f([x[0] + 0.5 * h * k1[0], x[1] + 0.5 * h * k1[1]], t + 0.5 * h)?;
    let k3 = f([x[0] + 0.5 * h * k2[0], x[1] + 0.5 * h * k2[1]], t + 0.5 * h)?;
    let k4 = f([x[0] + h * k3[0], x[1] + h * k3[1]], t + h)?;
    Some([x[0] + h / 6.0 * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]), x[1] + h / 6.0 * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1])])
}

/// Integrates ẏ = f(y) from time 0 to `dt` starting at `y`, with error control to `tol`
/// (mixed absolute/relative). `h` carries the step size between calls. Returns `None` when the
/// solution becomes non-finite or needs more than 20 000 steps (a stiff or blowing-up field).
pub fn dopri(f: &impl Fn(V) -> V, y: V, dt: f64, tol: f64, h: &mut f64) -> Option<V> {
    // Dormand–Prince coefficients.
    const A21: f64 = 1.0 / 5.0;
    const A31: f64 = 3.0 / 40.0;
    const A32: f64 = 9.0 / 40.0;
    const A41: f64 = 44.0 / 45.0;
    const A42: f64 = -56.0 / 15.0;
    const A43: f64 = 32.0 / 9.0;
    const A51: f64 = 19372.0 / 6561.0;
    const A52: f64 = -25360.0 / 2187.0;
    const A53: f64 = 64448.0 / 6561.0;
    const A54: f64 = -212.0 / 729.0;
    const A61: f64 = 9017.0 / 3168.0;
    const A62: f64 = -355.0 / 33.0;
    const A63: f64 = 46732.0 / 5247.0;
    const A64: f64 = 49.0 / 176.0;
    const A65: f64 = -5103.0 / 18656.0;
    const B1: f64 = 35.0 / 384.0;
    const B3: f64 = 500.0 / 1113.0;
    const B4: f64 = 125.0 / 192.0;
    const B5: f64 = -2187.0 / 6784.0;
    const B6: f64 = 11.0 / 84.0;
    // Error weights: 5th-order minus embedded 4th-order solution.
    const E1: f64 = 71.0 / 57600.0;
    const E3: f64 = -71.0 / 16695.0;
    const E4: f64 = 71.0 / 1920.0;
    const E5: f64 = -17253.0 / 339200.0;
    const E6: f64 = 22.0 / 525.0;
    const E7: f64 = -1.0 / 40.0;
    if dt.is_nan() || dt <= 0.0 {
        return Some(y);
    }
    let mut y = y;
    let mut t = 0.0;
    if !(*h > 0.0 && h.is_finite()) {
        *h = dt.min(1e-2);
    }
    let mut k1 = f(y);
    for _ in 0..20_000 {
        if t >= dt {
            return Some(y);
        }
        let hh = h.min(dt - t);
        let k2 = f(y + hh * A21 * k1);
        let k3 = f(y + hh * (A31 * k1 + A32 * k2));
        let k4 = f(y + hh * (A41 * k1 + A42 * k2 + A43 * k3));
        let k5 = f(y + hh * (A51 * k1 + A52 * k2 + A53 * k3 + A54 * k4));
        let k6 = f(y + hh * (A61 * k1 + A62 * k2 + A63 * k3 + A64 * k4 + A65 * k5));
        let y5 = y + hh * (B1 * k1 + B3 * k3 + B4 * k4 + B5 * k5 + B6 * k6);
        let k7 = f(y5);
        let err_v = hh * (E1 * k1 + E3 * k3 + E4 * k4 + E5 * k5 + E6 * k6 + E7 * k7);
        let scale = tol * (1.0 + y.abs().max().max(y5.abs().max()));
        let err = err_v.abs().max() / scale;
        if !(y5.x.is_finite() && y5.y.is_finite() && err.is_finite()) {
            if hh < 1e-14 {
                return None;
            }
            *h = hh * 0.1;
            continue;
        }
        if err <= 1.0 {
            t += hh;
            y = y5;
            k1 = k7; // first-same-as-last
        }
        let factor = if err == 0.0 { 5.0 } else { (0.9 * err.powf(-0.2)).clamp(0.2, 5.0) };
        *h = (hh * factor).max(1e-14);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RK4 on ẋ = Ax (a rotation with decay) matches the matrix exponential to O(h⁵) per step.
    #[test]
    fn rk4_is_fourth_order() {
        let f = |x: [f64; 2], _t: f64| Some([-0.1 * x[0] - x[1], x[0] - 0.1 * x[1]]);
        let exact = |t: f64| {
            let r = (-0.1 * t).exp();
            [r * t.cos(), r * t.sin()]
        };
        let err = |n: usize| {
            let h = 1.0 / n as f64;
            let mut x = [1.0, 0.0];
            for i in 0..n {
                x = rk4_step(f, x, i as f64 * h, h).unwrap();
            }
            let e = exact(1.0);
            (x[0] - e[0]).hypot(x[1] - e[1])
        };
        let order = (err(10) / err(20)).log2();
        assert!((order - 4.0).abs() < 0.2, "order {order}");
        assert_eq!(rk4_step(|_, t| (t < 0.4).then_some([1.0, 0.0]), [0.0, 0.0], 0.0, 1.0), None, "stops when f does");
    }

    #[test]
    fn exponential_decay_and_rotation() {
        let mut h = 0.0;
        let y = dopri(&|y: V| -y, V::new(1.0, 2.0), 3.0, 1e-12, &mut h).unwrap();
        assert!((y.x - (-3.0f64).exp()).abs() < 1e-11 && (y.y - 2.0 * (-3.0f64).exp()).abs() < 1e-11);
        // A rotation keeps the radius: a test of accuracy over many periods.
        let mut h = 0.0;
        let y = dopri(&|y: V| V::new(-y.y, y.x), V::new(1.0, 0.0), 20.0 * std::f64::consts::PI, 1e-12, &mut h).unwrap();
        assert!((y - V::new(1.0, 0.0)).norm() < 1e-8, "{y:?}");
    }

    #[test]
    fn blow_up_is_reported_not_returned() {
        let mut h = 0.0;
        // ẏ = y² reaches infinity at t = 1/y0 = 0.5.
        assert!(dopri(&|y: V| V::new(y.x * y.x, 0.0), V::new(2.0, 0.0), 1.0, 1e-9, &mut h).is_none());
    }
}
