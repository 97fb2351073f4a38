//! Canvas plumbing: replaying a recording ([`Op`]s) onto a 2-D context, HiDPI sizing, text
//! measurement for layout, and PNG encoding for the SVG download.
//!
//! The replay keeps the context's style between operations and sets it only when it changes
//! (plotters' own canvas backend formats and sets a colour string for every primitive). Images go
//! through a scratch canvas and `drawImage`, so transparent ones composite and stretched ones are
//! scaled smoothly by the browser.

use crate::plot::backend::{simplify_path, Colour, HAlign, Op, Shape, TextOp, VAlign, PATH_TOLERANCE};
use crate::plot::raster::Raster;
use std::cell::RefCell;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

fn css(c: Colour) -> String {
    if c.alpha >= 1.0 {
        format!("#{:02x}{:02x}{:02x}", c.rgb.0, c.rgb.1, c.rgb.2)
    } else {
        format!("rgba({},{},{},{})", c.rgb.0, c.rgb.1, c.rgb.2, c.alpha)
    }
}

/// The 2-D context of a canvas.
pub fn context(c: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    c.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// The 2-D context of a canvas shown on the page, created with the `desynchronized` hint.
///
/// Why: without it, Chromium's software compositor (headless, or a machine without GPU
/// compositing) copies the backing store of every 2-D canvas on the page at each commit that
/// paints anything, drawn or not: with the three figure canvases ~0.6 ms per event at DPR 1 and
/// ~2.5 ms at DPR 2, for a readout's text change alone. A desynchronized canvas hands its frames
/// to the compositor itself, and only when drawn (4 canvases at DPR 2, headless Chromium: a text
/// change 4.8 → 0.5 ms of main-thread work). The cost of the hint: the browser may show a
/// canvas's new frame out of step with the page's text by a frame, and on devices that render
/// such canvases to the front buffer a redraw can tear. Browsers without the hint ignore it.
pub fn page_context(c: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    let opts = js_sys::Object::new();
    js_sys::Reflect::set(&opts, &"desynchronized".into(), &true.into()).ok()?;
    c.get_context_with_context_options("2d", &opts).ok().flatten()?.dyn_into().ok()
}

/// A canvas with its 2-D context, looked up once: `getContext` and its type check are calls into
/// JS, and the page's figures are painted on every input event.
#[derive(Clone)]
pub struct Surface {
    el: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
}

impl Surface {
    /// The canvas and its context (`None` if it has no 2-D context).
    pub fn new(el: HtmlCanvasElement) -> Option<Self> {
        let ctx = context(&el)?;
        Some(Self { el, ctx })
    }
    /// A canvas on the page and its context, created by [`page_context`].
    pub fn on_page(el: HtmlCanvasElement) -> Option<Self> {
        let ctx = page_context(&el)?;
        Some(Self { el, ctx })
    }
    /// The 2-D context.
    pub fn ctx(&self) -> &CanvasRenderingContext2d {
        &self.ctx
    }
    /// Clears the canvas and replays `ops` onto it.
    pub fn paint(&self, ops: &[Op]) {
        self.ctx.clear_rect(0.0, 0.0, self.el.width() as f64, self.el.height() as f64);
        replay_from(&self.ctx, ops, true);
    }
}

impl std::ops::Deref for Surface {
    type Target = HtmlCanvasElement;
    fn deref(&self) -> &HtmlCanvasElement {
        &self.el
    }
}

/// A canvas element not in the document.
pub fn offscreen(w: u32, h: u32) -> Option<HtmlCanvasElement> {
    let doc = web_sys::window()?.document()?;
    let c: HtmlCanvasElement = doc.create_element("canvas").ok()?.dyn_into().ok()?;
    c.set_width(w.max(1));
    c.set_height(h.max(1));
    Some(c)
}

thread_local! {
    /// Images staged on offscreen canvases, most recently used last. A raster is known by its
    /// pixel buffer (an `Rc`, kept alive here, so the buffer cannot change under it): drawing the
    /// same raster again (a cached heat map, a support map) skips the upload; a new one reuses the
    /// oldest canvas of its size (resizing a canvas reallocates its store).
    static STAGED: RefCell<Vec<Staged>> = const { RefCell::new(Vec::new()) };
    /// A context for measuring text, with the font last set on it.
    static MEASURE: RefCell<Option<(CanvasRenderingContext2d, String)>> = const { RefCell::new(None) };
}

struct Staged {
    px: std::rc::Rc<Vec<u8>>,
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
}

/// Canvases kept for staging.
const STAGE_SLOTS: usize = 12;

/// Puts `r` on `ctx` at (x, y).
///
/// The `ImageData` is built and used in one go on purpose: wasm-bindgen hands `ImageData` a
/// *view* of wasm memory and `ImageData` keeps the array it is given, so it must be drawn while
/// the pixels are alive and before anything allocates. Returning it from a helper once let the
/// RGBA copy be freed first: the allocator's bookkeeping overwrote its first 24 bytes, and
/// some rasters lost their first six pixels depending on the heap's history (caught by the
/// reload test: a moved slider and a fresh load differed in exactly those pixels).
fn put(ctx: &CanvasRenderingContext2d, r: &Raster, x: f64, y: f64) -> Option<()> {
    let rgba = if r.alpha { None } else { Some(r.to_rgba()) };
    let px: &[u8] = rgba.as_deref().unwrap_or(&r.px);
    let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(px), r.w, r.h).ok()?;
    ctx.put_image_data(&data, x, y).ok()
}

/// Whether `r` is on a staging canvas already (drawing it from there skips the upload).
fn is_staged(r: &Raster) -> bool {
    STAGED.with(|st| st.borrow().iter().any(|e| std::rc::Rc::ptr_eq(&e.px, &r.px)))
}

/// Stages `r` on an offscreen canvas (uploading it only if it is not there yet) and runs `f` with it.
fn staged<R>(r: &Raster, f: impl FnOnce(&HtmlCanvasElement) -> R) -> Option<R> {
    STAGED.with(|st| {
        let mut st = st.borrow_mut();
        let same_size = |e: &Staged| e.canvas.width() == r.w && e.canvas.height() == r.h;
        if let Some(i) = st.iter().position(|e| std::rc::Rc::ptr_eq(&e.px, &r.px) && same_size(e)) {
            let e = st.remove(i);
            let out = f(&e.canvas);
            st.push(e);
            return Some(out);
        }
        let mut e = if st.len() < STAGE_SLOTS {
            let canvas = offscreen(r.w, r.h)?;
            let ctx = context(&canvas)?;
            Staged { px: r.px.clone(), canvas, ctx }
        } else if let Some(i) = st.iter().position(same_size) {
            // The least recently used canvas of this size.
            st.remove(i)
        } else {
            let e = st.remove(0);
            e.canvas.set_width(r.w);
            e.canvas.set_height(r.h);
            e
        };
        // A failed upload drops the canvas rather than keep it under the wrong key.
        put(&e.ctx, r, 0.0, 0.0)?;
        e.px = r.px.clone();
        let out = f(&e.canvas);
        st.push(e);
        Some(out)
    })
}

/// The style last set on the context during a replay.
#[derive(Default)]
struct Pen {
    stroke: Option<(Colour, u32)>,
    fill: Option<Colour>,
    font: String,
}

impl Pen {
    fn stroke(&mut self, ctx: &CanvasRenderingContext2d, c: Colour, w: u32) {
        if self.stroke != Some((c, w)) {
            ctx.set_stroke_style_str(&css(c));
            ctx.set_line_width(w as f64);
            self.stroke = Some((c, w));
        }
    }
    fn fill(&mut self, ctx: &CanvasRenderingContext2d, c: Colour) {
        if self.fill != Some(c) {
            ctx.set_fill_style_str(&css(c));
            self.fill = Some(c);
        }
    }
}

/// plotters' canvas backend moves axis-parallel lines by half a pixel so they are crisp.
fn crisp(from: (i32, i32), to: (i32, i32)) -> ((f64, f64), (f64, f64)) {
    let (mut a, mut b) = ((from.0 as f64, from.1 as f64), (to.0 as f64, to.1 as f64));
    if a.0 == b.0 {
        a.0 -= 0.5;
        b.0 -= 0.5;
    }
    if a.1 == b.1 {
        a.1 -= 0.5;
        b.1 -= 0.5;
    }
    (a, b)
}

thread_local! {
    /// `(ctx, pts) => { beginPath; moveTo; lineTo… }` as one JS function: a long path crosses the
    /// wasm/JS boundary once instead of once per vertex (5,000-step optimizer paths).
    static POLY: js_sys::Function = js_sys::Function::new_with_args(
        "ctx, p",
        "ctx.beginPath(); if (p.length < 2) return; ctx.moveTo(p[0], p[1]); for (let i = 2; i < p.length; i += 2) ctx.lineTo(p[i], p[i + 1]);",
    );
}

/// Vertices at which a path is handed to JS in one call rather than vertex by vertex.
const BATCH: usize = 16;

fn polyline(ctx: &CanvasRenderingContext2d, pts: &[(i32, i32)]) {
    if pts.len() >= BATCH {
        let flat: Vec<i32> = pts.iter().flat_map(|&(x, y)| [x, y]).collect();
        let arr = js_sys::Int32Array::from(flat.as_slice());
        if POLY.with(|f| f.call2(&wasm_bindgen::JsValue::NULL, ctx, &arr)).is_ok() {
            return;
        }
    }
    ctx.begin_path();
    if let Some((first, rest)) = pts.split_first() {
        ctx.move_to(first.0 as f64, first.1 as f64);
        for p in rest {
            ctx.line_to(p.0 as f64, p.1 as f64);
        }
    }
}

fn text(ctx: &CanvasRenderingContext2d, pen: &mut Pen, t: &TextOp) {
    let (mut x, mut y) = (t.at.0 as f64, t.at.1 as f64);
    let rotated = t.rotate != 0;
    if rotated {
        ctx.save();
        let _ = ctx.translate(x, y);
        let _ = ctx.rotate(t.rotate as f64 / 180.0 * std::f64::consts::PI);
        (x, y) = (0.0, 0.0);
        // save/restore resets the style: forget what was set.
        *pen = Pen::default();
    }
    ctx.set_text_baseline(match t.v {
        VAlign::Top => "top",
        VAlign::Center => "middle",
        VAlign::Bottom => "bottom",
    });
    ctx.set_text_align(match t.h {
        HAlign::Left => "start",
        HAlign::Right => "end",
        HAlign::Center => "center",
    });
    pen.fill(ctx, t.colour);
    let font = format!("{} {}px {}", t.style.css(), t.size, t.family);
    if pen.font != font {
        ctx.set_font(&font);
        pen.font = font;
    }
    let _ = ctx.fill_text(&t.text, x, y);
    if rotated {
        ctx.restore();
        *pen = Pen::default();
    }
}

/// Draws `ops` onto `ctx` (device pixels) over what is there.
pub fn replay(ctx: &CanvasRenderingContext2d, ops: &[Op]) {
    replay_from(ctx, ops, false);
}

/// [`replay`]; `cleared` says the canvas was just cleared to transparent, so an image drawn
/// before anything else, at its own size, can be put straight onto it: over transparent pixels
/// `putImageData` leaves what blending it would (both store the same premultiplied values),
/// without staging it on a canvas of its own and drawing that (a particle cloud's window
/// changes size on every drag, and a staging canvas resized is a reallocation).
fn replay_from(ctx: &CanvasRenderingContext2d, ops: &[Op], cleared: bool) {
    let mut untouched = cleared;
    let mut pen = Pen::default();
    // The vertices of the context's current path, while it still holds the last `Op::Path`
    // (a stroke keeps the path; only the ops that begin a path end it). A trajectory drawn
    // as a halo and then in its colour is the same path twice: it is simplified and handed
    // to the context once and stroked twice.
    let mut current: Option<&[(i32, i32)]> = None;
    for op in ops {
        if !matches!(op, Op::Path { .. } | Op::Rect { .. } | Op::Pixel(..) | Op::Image { .. }) {
            current = None;
        }
        let first = std::mem::replace(&mut untouched, false);
        match op {
            Op::Pixel((x, y), c) => {
                pen.fill(ctx, *c);
                ctx.fill_rect(*x as f64, *y as f64, 1.0, 1.0);
            }
            Op::Line { from, to, colour, width } => {
                let (a, b) = crisp(*from, *to);
                pen.stroke(ctx, *colour, *width);
                ctx.begin_path();
                ctx.move_to(a.0, a.1);
                ctx.line_to(b.0, b.1);
                ctx.stroke();
            }
            Op::Rect { ul, br, colour, width, fill } => {
                let (x, y, w, h) = (ul.0 as f64, ul.1 as f64, (br.0 - ul.0) as f64, (br.1 - ul.1) as f64);
                if *fill {
                    pen.fill(ctx, *colour);
                    ctx.fill_rect(x, y, w, h);
                } else {
                    pen.stroke(ctx, *colour, *width);
                    ctx.stroke_rect(x, y, w, h);
                }
            }
            Op::Path { points, colour, width } => {
                pen.stroke(ctx, *colour, *width);
                if current != Some(points.as_slice()) {
                    // Sub-pixel detail costs the software rasteriser per vertex and shows nothing.
                    if points.len() > 8 {
                        polyline(ctx, &simplify_path(points, PATH_TOLERANCE));
                    } else {
                        polyline(ctx, points);
                    }
                    current = Some(points);
                }
                ctx.stroke();
            }
            Op::Polygon { points, colour } => {
                pen.fill(ctx, *colour);
                polyline(ctx, points);
                ctx.close_path();
                ctx.fill();
            }
            Op::Circle { centre, radius, colour, width, fill } => {
                if *fill {
                    pen.fill(ctx, *colour);
                } else {
                    pen.stroke(ctx, *colour, *width);
                }
                ctx.begin_path();
                let _ = ctx.arc(centre.0 as f64, centre.1 as f64, *radius as f64, 0.0, std::f64::consts::TAU);
                if *fill {
                    ctx.fill();
                } else {
                    ctx.stroke();
                }
            }
            Op::Text(t) => text(ctx, &mut pen, t),
            Op::Image { at, size, img } => {
                if (!img.alpha || (first && !is_staged(img))) && *size == (img.w, img.h) {
                    // An opaque image at its own size, or any image on untouched transparent
                    // pixels: one putImageData, no staging.
                    put(ctx, img, at.0 as f64, at.1 as f64);
                } else {
                    ctx.set_image_smoothing_enabled(!img.pixelated);
                    staged(img, |c| {
                        let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(
                            c,
                            at.0 as f64,
                            at.1 as f64,
                            size.0 as f64,
                            size.1 as f64,
                        );
                    });
                }
            }
        }
    }
}

/// Clears a canvas and replays `ops` onto it.
pub fn paint_ops(c: &HtmlCanvasElement, ops: &[Op]) {
    if let Some(ctx) = context(c) {
        ctx.clear_rect(0.0, 0.0, c.width() as f64, c.height() as f64);
        replay_from(&ctx, ops, true);
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

/// Measures text with the browser's fonts (`measureText` on an offscreen context: no layout), for
/// plotters' layout of labels. Installed with [`crate::plot::backend::set_text_measure`].
pub fn measure(s: &str, family: &str, size: f64, style: Shape) -> (u32, u32) {
    let fallback = crate::plot::backend::naive_text_size(s, size);
    MEASURE.with(|m| {
        let mut m = m.borrow_mut();
        if m.is_none() {
            *m = offscreen(1, 1).and_then(|c| context(&c)).map(|ctx| (ctx, String::new()));
        }
        let Some((ctx, font)) = m.as_mut() else { return fallback };
        let want = format!("{} {}px {}", style.css(), size, family);
        if *font != want {
            ctx.set_font(&want);
            *font = want;
        }
        match ctx.measure_text(s) {
            Ok(t) => (t.width().ceil().max(0.0) as u32, size.round().max(1.0) as u32),
            Err(_) => fallback,
        }
    })
}

/// A raster as base64 PNG, encoded by a canvas (the bundle carries no PNG encoder).
pub fn png_base64(r: &Raster) -> Option<String> {
    let c = offscreen(r.w, r.h)?;
    let ctx = context(&c)?;
    put(&ctx, r, 0.0, 0.0)?;
    let url = c.to_data_url().ok()?;
    url.strip_prefix("data:image/png;base64,").map(str::to_string)
}
