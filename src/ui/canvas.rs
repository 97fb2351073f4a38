//! Canvas plumbing: a plotters backend that blits rasters with one `putImageData` (the stock
//! canvas backend fills one rectangle per pixel), and HiDPI sizing.

use plotters::prelude::DrawingBackend;
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// [`CanvasBackend`] with a fast `blit_bitmap`.
pub struct FastCanvas {
    inner: CanvasBackend,
    ctx: CanvasRenderingContext2d,
}

impl FastCanvas {
    /// Wraps a canvas (drawn in its own device pixels). Clears it first: every layer is drawn whole.
    pub fn new(canvas: HtmlCanvasElement) -> Option<Self> {
        let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        ctx.clear_rect(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
        let inner = CanvasBackend::with_canvas_object(canvas)?;
        Some(FastCanvas { inner, ctx })
    }
}

type Err = DrawingErrorKind<<CanvasBackend as DrawingBackend>::ErrorType>;

impl DrawingBackend for FastCanvas {
    type ErrorType = <CanvasBackend as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), Err> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), Err> {
        self.inner.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), Err> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Result<(), Err> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(&mut self, ul: BackendCoord, br: BackendCoord, style: &S, fill: bool) -> Result<(), Err> {
        self.inner.draw_rect(ul, br, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, path: I, style: &S) -> Result<(), Err> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(&mut self, center: BackendCoord, radius: u32, style: &S, fill: bool) -> Result<(), Err> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, vert: I, style: &S) -> Result<(), Err> {
        self.inner.fill_polygon(vert, style)
    }
    fn draw_text<TStyle: BackendTextStyle>(&mut self, text: &str, style: &TStyle, pos: BackendCoord) -> Result<(), Err> {
        self.inner.draw_text(text, style, pos)
    }
    fn estimate_text_size<TStyle: BackendTextStyle>(&self, text: &str, style: &TStyle) -> Result<(u32, u32), Err> {
        self.inner.estimate_text_size(text, style)
    }
    /// RGB in, RGBA out, one `putImageData`.
    fn blit_bitmap(&mut self, pos: BackendCoord, (w, h): (u32, u32), src: &[u8]) -> Result<(), Err> {
        let n = (w as usize) * (h as usize);
        if w == 0 || h == 0 || src.len() < n * 3 {
            return Ok(());
        }
        let mut rgba = vec![255u8; n * 4];
        for (d, s) in rgba.chunks_exact_mut(4).zip(src.chunks_exact(3)) {
            d[..3].copy_from_slice(s);
        }
        // A failure here (e.g. a zero-sized canvas) leaves the layer blank rather than failing the page.
        if let Ok(img) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), w, h) {
            let _ = self.ctx.put_image_data(&img, pos.0 as f64, pos.1 as f64);
        }
        Ok(())
    }
}

/// Sizes a canvas to `css_w`×`css_h` CSS pixels at the device pixel ratio `dpr`; returns whether
/// the backing store changed (and so must be redrawn).
pub fn fit(canvas: &HtmlCanvasElement, css_w: f64, css_h: f64, dpr: f64) -> bool {
    let w = (css_w * dpr).round().max(1.0) as u32;
    let h = (css_h * dpr).round().max(1.0) as u32;
    let style = canvas.style();
    let _ = style.set_property("width", &format!("{css_w}px"));
    let _ = style.set_property("height", &format!("{css_h}px"));
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
        true
    } else {
        false
    }
}
