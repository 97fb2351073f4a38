//! Discrete Fourier transforms of any length: iterative radix-2 for powers of two, Bluestein's
//! chirp-z for the rest (the kernel length L of the SSM lab is a log slider, so any integer 8..1024).
//! Convention as numpy: X_k = Σ_n x_n e^{−2πikn/N}, the inverse divides by N. `rustfft` would cost
//! bundle bytes for two transforms of ≤ 4096 points per frame; ~100 lines do.

use nalgebra::Complex;

/// Complex double.
pub type C64 = Complex<f64>;

/// e^{−2πik/n} for k = 0..n/2 (n a power of two), each from its own cos/sin (no accumulated
/// rounding from a twiddle recurrence).
fn twiddles(n: usize) -> Vec<C64> {
    (0..n / 2).map(|k| C64::from_polar(1.0, -2.0 * std::f64::consts::PI * k as f64 / n as f64)).collect()
}

/// In-place radix-2 FFT; `x.len()` must be a power of two (others are left unchanged).
fn radix2(x: &mut [C64], inverse: bool) {
    let n = x.len();
    if n <= 1 || !n.is_power_of_two() {
        return;
    }
    let bits = n.trailing_zeros();
    for i in 0..n {
        let j = i.reverse_bits() >> (usize::BITS - bits);
        if j > i {
            x.swap(i, j);
        }
    }
    let w = twiddles(n);
    let mut len = 2;
    while len <= n {
        let step = n / len;
        for start in (0..n).step_by(len) {
            for k in 0..len / 2 {
                let tw = if inverse { w[k * step].conj() } else { w[k * step] };
                let (a, b) = (x[start + k], x[start + k + len / 2] * tw);
                x[start + k] = a + b;
                x[start + k + len / 2] = a - b;
            }
        }
        len *= 2;
    }
}

/// Bluestein: X_k = w_k Σ_n (x_n w_n) conj(w_{k−n}), w_k = e^{−iπk²/N}, a convolution done by
/// radix-2 transforms of length ≥ 2N − 1. k² is reduced mod 2N in integers so the chirp's
/// argument stays below 2π (exact phases even for N = 4096).
fn bluestein(x: &mut [C64], inverse: bool) {
    let n = x.len();
    let m = (2 * n - 1).next_power_of_two();
    let sign = if inverse { 1.0 } else { -1.0 };
    let chirp: Vec<C64> = (0..n)
        .map(|k| {
            let k2 = (k as u128 * k as u128 % (2 * n as u128)) as f64;
            C64::from_polar(1.0, sign * std::f64::consts::PI * k2 / n as f64)
        })
        .collect();
    let mut a = vec![C64::new(0.0, 0.0); m];
    let mut b = vec![C64::new(0.0, 0.0); m];
    for k in 0..n {
        a[k] = x[k] * chirp[k];
        b[k] = chirp[k].conj();
        if k > 0 {
            b[m - k] = chirp[k].conj();
        }
    }
    radix2(&mut a, false);
    radix2(&mut b, false);
    for (p, q) in a.iter_mut().zip(&b) {
        *p *= q;
    }
    radix2(&mut a, true);
    let scale = 1.0 / m as f64;
    for k in 0..n {
        x[k] = a[k] * scale * chirp[k];
    }
}

/// Forward DFT in place, any length.
pub fn fft(x: &mut [C64]) {
    if x.len().is_power_of_two() {
        radix2(x, false);
    } else if x.len() > 1 {
        bluestein(x, false);
    }
}

/// Inverse DFT in place (including the 1/N), any length.
pub fn ifft(x: &mut [C64]) {
    let n = x.len();
    if n.is_power_of_two() {
        radix2(x, true);
    } else if n > 1 {
        bluestein(x, true);
    }
    let s = 1.0 / n.max(1) as f64;
    x.iter_mut().for_each(|v| *v *= s);
}

/// The DFT of a real sequence (a convenience for kernels).
pub fn fft_real(x: &[f64]) -> Vec<C64> {
    let mut v: Vec<C64> = x.iter().map(|&r| C64::new(r, 0.0)).collect();
    fft(&mut v);
    v
}

/// The direct O(N²) DFT: the reference the fast transforms are tested against (phases reduced mod
/// N in integers).
pub fn dft(x: &[C64], inverse: bool) -> Vec<C64> {
    let n = x.len();
    let sign = if inverse { 1.0 } else { -1.0 };
    let scale = if inverse { 1.0 / n.max(1) as f64 } else { 1.0 };
    (0..n)
        .map(|k| {
            let s: C64 = x
                .iter()
                .enumerate()
                .map(|(j, &v)| v * C64::from_polar(1.0, sign * 2.0 * std::f64::consts::PI * ((k * j) % n) as f64 / n as f64))
                .sum();
            s * scale
        })
        .collect()
}

/// Causal (linear, not circular) convolution y_k = Σ_{j ≤ k} h_j x_{k−j}, k = 0..x.len()−1, by
/// zero-padded FFTs — the S4 "convolution mode" — or directly when that is cheaper.
pub fn causal_convolve(h: &[f64], x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let hn = h.len().min(n);
    if hn == 0 {
        return vec![0.0; n];
    }
    if hn * n <= 4096 {
        return (0..n).map(|k| (0..=k.min(hn.saturating_sub(1))).map(|j| h[j] * x[k - j]).sum()).collect();
    }
    let m = (n + hn).next_power_of_two();
    let mut a = vec![C64::new(0.0, 0.0); m];
    let mut b = vec![C64::new(0.0, 0.0); m];
    for (p, &v) in a.iter_mut().zip(&h[..hn]) {
        *p = C64::new(v, 0.0);
    }
    for (p, &v) in b.iter_mut().zip(x) {
        *p = C64::new(v, 0.0);
    }
    radix2(&mut a, false);
    radix2(&mut b, false);
    for (p, q) in a.iter_mut().zip(&b) {
        *p *= q;
    }
    ifft(&mut a);
    a[..n].iter().map(|v| v.re).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::rng::Rng;

    fn max_diff(a: &[C64], b: &[C64]) -> f64 {
        a.iter().zip(b).map(|(p, q)| (p - q).norm()).fold(0.0, f64::max)
    }

    #[test]
    fn fast_transforms_equal_the_direct_dft() {
        let mut r = Rng::new(1);
        for n in [1usize, 2, 3, 5, 8, 12, 16, 17, 100, 128, 255, 256, 1000, 1024] {
            let x: Vec<C64> = (0..n).map(|_| C64::new(r.normal(), r.normal())).collect();
            let want = dft(&x, false);
            let mut got = x.clone();
            fft(&mut got);
            let size = (n as f64).sqrt();
            assert!(max_diff(&got, &want) <= 1e-13 * size, "n = {n}: {}", max_diff(&got, &want));
            ifft(&mut got);
            assert!(max_diff(&got, &x) <= 1e-14 * size, "round trip n = {n}");
            assert!(max_diff(&dft(&want, true), &x) <= 1e-13 * size);
        }
        assert!(fft_real(&[]).is_empty());
    }

    #[test]
    fn known_transform() {
        // DFT of a unit impulse at 1 is e^{−2πik/N}.
        let mut x = vec![C64::new(0.0, 0.0); 6];
        x[1] = C64::new(1.0, 0.0);
        fft(&mut x);
        for (k, v) in x.iter().enumerate() {
            let w = C64::from_polar(1.0, -2.0 * std::f64::consts::PI * k as f64 / 6.0);
            assert!((v - w).norm() < 1e-15, "{k}: {v}");
        }
    }

    #[test]
    fn causal_convolution_by_fft_equals_the_sum() {
        let mut r = Rng::new(2);
        for (hn, n) in [(1, 1), (3, 10), (64, 300), (1024, 1024), (700, 333)] {
            let h: Vec<f64> = (0..hn).map(|_| r.normal()).collect();
            let x: Vec<f64> = (0..n).map(|_| r.normal()).collect();
            let got = causal_convolve(&h, &x);
            for k in 0..n {
                let want: f64 = (0..=k.min(hn - 1)).map(|j| h[j] * x[k - j]).sum();
                assert!((got[k] - want).abs() < 1e-12, "hn {hn} n {n} k {k}: {} vs {want}", got[k]);
            }
        }
        assert!(causal_convolve(&[1.0], &[]).is_empty());
        assert_eq!(causal_convolve(&[], &[1.0, 2.0]), vec![0.0, 0.0]);
    }
}
