//! Canvas plumbing: a plotters backend that blits rasters with one `putImageData` (the stock
//! canvas backend fills one rectangle per pixel), and HiDPI sizing.

use plotters::prelude::DrawingBackend;
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// A backend whose `blit_bitmap` is handled by `blit` (RGB, RGBA, or a stretched blit of
/// [`crate::plot::raster::draw_raster_stretched`]); everything else goes to the
/// inner backend. The stock backends blit one pixel at a time: on the canvas that is one
/// `fillRect` per pixel, in SVG one `<rect>` per pixel.
pub struct Blitting<B: DrawingBackend, F: Blit> {
    inner: B,
    blit: F,
}

/// What handles a raster: (top-left, size, RGB bytes).
pub trait Blit: FnMut((i32, i32), (u32, u32), &[u8]) {}
impl<F: FnMut((i32, i32), (u32, u32), &[u8])> Blit for F {}

type Err<B> = DrawingErrorKind<<B as DrawingBackend>::ErrorType>;

impl<B: DrawingBackend, F: Blit> DrawingBackend for Blitting<B, F> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), Err<B>> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), Err<B>> {
        self.inner.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), Err<B>> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Result<(), Err<B>> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(&mut self, ul: BackendCoord, br: BackendCoord, style: &S, fill: bool) -> Result<(), Err<B>> {
        self.inner.draw_rect(ul, br, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, path: I, style: &S) -> Result<(), Err<B>> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(&mut self, center: BackendCoord, radius: u32, style: &S, fill: bool) -> Result<(), Err<B>> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, vert: I, style: &S) -> Result<(), Err<B>> {
        self.inner.fill_polygon(vert, style)
    }
    fn draw_text<TStyle: BackendTextStyle>(&mut self, text: &str, style: &TStyle, pos: BackendCoord) -> Result<(), Err<B>> {
        self.inner.draw_text(text, style, pos)
    }
    fn estimate_text_size<TStyle: BackendTextStyle>(&self, text: &str, style: &TStyle) -> Result<(u32, u32), Err<B>> {
        self.inner.estimate_text_size(text, style)
    }
    fn blit_bitmap(&mut self, pos: BackendCoord, (w, h): (u32, u32), src: &[u8]) -> Result<(), Err<B>> {
        if w > 0 && h > 0 && (src.len() >= (w as usize) * (h as usize) * 3 || crate::plot::raster::stretched(src, w, h).is_some()) {
            (self.blit)(pos, (w, h), src);
        }
        Ok(())
    }
}

/// RGB → an `ImageData` (RGBA), or `None` if the browser refuses (e.g. zero size). A source of
/// exactly w·h·4 bytes is RGBA already (a transparent overlay, e.g. particles over a cached
/// background); w·h·3 can never equal w·h·4, so the two cannot be confused.
fn image_data(src: &[u8], w: u32, h: u32) -> Option<ImageData> {
    if src.len() == (w as usize) * (h as usize) * 4 {
        return ImageData::new_with_u8_clamped_array_and_sh(Clamped(src), w, h).ok();
    }
    let mut rgba = vec![255u8; (w as usize) * (h as usize) * 4];
    for (d, s) in rgba.chunks_exact_mut(4).zip(src.chunks_exact(3)) {
        d[..3].copy_from_slice(s);
    }
    ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), w, h).ok()
}

/// The scratch canvas of stretched blits, kept for the page's lifetime (a new canvas per blit
/// costs an allocation of its backing store).
fn stretch_canvas() -> Option<HtmlCanvasElement> {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Option<HtmlCanvasElement>> = const { std::cell::RefCell::new(None) };
    }
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        if s.is_none() {
            let doc = web_sys::window().and_then(|w| w.document())?;
            *s = doc.create_element("canvas").ok().and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok());
        }
        s.clone()
    })
}

/// The canvas backend with one `putImageData` per raster.
pub type FastCanvas = Blitting<CanvasBackend, Box<dyn FnMut((i32, i32), (u32, u32), &[u8])>>;

/// Wraps a canvas (drawn in its own device pixels). Clears it first when `clear` (every layer is
/// drawn whole; only a foreground over a copied-in background is drawn without).
pub fn fast_canvas(canvas: HtmlCanvasElement, clear: bool) -> Option<FastCanvas> {
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    if clear {
        ctx.clear_rect(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
    }
    let inner = CanvasBackend::with_canvas_object(canvas)?;
    let blit = Box::new(move |pos: (i32, i32), (w, h): (u32, u32), src: &[u8]| {
        // A failure leaves the layer blank rather than failing the page.
        if let Some((sw, sh, px)) = crate::plot::raster::stretched(src, w, h) {
            // Put the small image on a scratch canvas and let the canvas stretch it (bilinear).
            if let (Some(c), Some(img)) = (stretch_canvas(), image_data(px, sw, sh)) {
                c.set_width(sw);
                c.set_height(sh);
                let sctx = c.get_context("2d").ok().flatten().and_then(|x| x.dyn_into::<CanvasRenderingContext2d>().ok());
                if let Some(sctx) = sctx {
                    let _ = sctx.put_image_data(&img, 0.0, 0.0);
                    ctx.set_image_smoothing_enabled(true);
                    let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&c, pos.0 as f64, pos.1 as f64, w as f64, h as f64);
                }
            }
        } else if let Some(img) = image_data(src, w, h) {
            let _ = ctx.put_image_data(&img, pos.0 as f64, pos.1 as f64);
        }
    });
    Some(Blitting { inner, blit })
}

/// A raster placed into an SVG document as a PNG `<image>` after drawing.
pub struct SvgImage {
    /// Top-left corner.
    pub at: (i32, i32),
    /// Size in pixels.
    pub size: (u32, u32),
    /// `data:image/png;base64,…`.
    pub href: String,
}

/// An SVG backend that collects rasters as PNG data URLs (encoded by an offscreen canvas, so the
/// bundle carries no PNG encoder); [`insert_svg_images`] puts them into the document.
pub fn svg_with_images<'a>(
    inner: plotters::prelude::SVGBackend<'a>,
    images: &'a mut Vec<SvgImage>,
) -> Blitting<plotters::prelude::SVGBackend<'a>, impl Blit + 'a> {
    let blit = move |at: (i32, i32), (w, h): (u32, u32), src: &[u8]| {
        let doc = web_sys::window().and_then(|w| w.document());
        let c = doc.and_then(|d| d.create_element("canvas").ok()).and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok());
        if let (Some(c), Some(img)) = (c, image_data(src, w, h)) {
            c.set_width(w);
            c.set_height(h);
            let ctx = c.get_context("2d").ok().flatten().and_then(|x| x.dyn_into::<CanvasRenderingContext2d>().ok());
            if let Some(ctx) = ctx {
                let _ = ctx.put_image_data(&img, 0.0, 0.0);
                if let Ok(href) = c.to_data_url() {
                    images.push(SvgImage { at, size: (w, h), href });
                }
            }
        }
    };
    Blitting { inner, blit }
}

/// Inserts collected rasters right after the SVG's first element (the background fill), so
/// they sit under axes and marks, as on the canvas.
pub fn insert_svg_images(svg: &str, images: &[SvgImage]) -> String {
    let tags: String = images
        .iter()
        .map(|i| format!("<image x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" href=\"{}\"/>\n", i.at.0, i.at.1, i.size.0, i.size.1, i.href))
        .collect();
    let after_first = svg.find("<svg").and_then(|s| svg[s..].find("/>").map(|e| s + e + 2));
    match after_first {
        Some(at) => format!("{}\n{}{}", &svg[..at], tags, &svg[at..]),
        None => svg.to_string(),
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
