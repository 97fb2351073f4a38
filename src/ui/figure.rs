//! The lab's figures on the page: the main figure as two stacked canvases (background and
//! foreground), the linked chart as one canvas (its background cached on a scratch canvas), and
//! what each shows, so that a layer is drawn again only when its cache key, its size or the theme
//! changes ([`crate::lab::Lab::cache_key`]).

use super::canvas::{offscreen, replay, Surface};
use crate::lab::{DynLab, Figure, Layer};
use crate::plot::theme::Theme;
use crate::plot::PlotFrame;

/// What a cached layer was drawn for: its key, the canvas size and the theme.
type Stamp = (u64, u32, u32, bool);

/// One layer's cache: `None` means stale (draw it).
#[derive(Default)]
pub(crate) struct LayerCache(Option<Stamp>);

impl LayerCache {
    /// Whether a layer with this key must be drawn on a `w`×`h` canvas in this theme.
    fn stale(&self, key: Option<u64>, w: u32, h: u32, dark: bool) -> bool {
        match key {
            None => true,
            Some(k) => self.0 != Some((k, w, h, dark)),
        }
    }
    fn mark(&mut self, key: Option<u64>, w: u32, h: u32, dark: bool) {
        self.0 = key.map(|k| (k, w, h, dark));
    }
    fn clear(&mut self) {
        self.0 = None;
    }
}

/// The page's canvases and their caches.
#[derive(Default)]
pub(crate) struct Figures {
    /// Background of the main figure.
    pub main_bg: Option<Surface>,
    /// Foreground of the main figure (takes the pointer).
    pub main_fg: Option<Surface>,
    /// The linked chart.
    pub aux: Option<Surface>,
    /// The linked chart's background, kept while its key holds.
    aux_scratch: Option<Surface>,
    bg: LayerCache,
    fg: LayerCache,
    aux_bg: LayerCache,
    /// The linked chart as composed: its background stamp and foreground key.
    aux_composed: Option<(Stamp, u64)>,
    /// What the scratch canvas holds (the background drawn straight onto the chart leaves it
    /// behind).
    scratch_holds: Option<Stamp>,
    /// Where the main figure's plotting area is, for pointer mapping.
    pub frame: Option<PlotFrame>,
}

impl Figures {
    /// Forgets what the cached layers show (after background work: its results may be in them).
    pub fn invalidate(&mut self) {
        self.bg.clear();
        self.fg.clear();
        self.aux_bg.clear();
        self.aux_composed = None;
        self.scratch_holds = None;
    }

    /// Draws what is stale. Returns an error message for the page if drawing failed.
    pub fn draw(&mut self, lab: &dyn DynLab, th: &Theme) -> Result<(), String> {
        let mut ops = Vec::new();
        // Fields borrowed directly, not cloned: a clone of a JS handle is a call into JS.
        if let Some(c) = &self.main_bg {
            let (w, h) = (c.width(), c.height());
            let key = lab.cache_key(Figure::Main, Layer::Background);
            if self.bg.stale(key, w, h, th.dark) {
                self.frame = lab.record(Figure::Main, Layer::Background, w, h, th, &mut ops)?.or(self.frame);
                c.paint(&ops);
                self.bg.mark(key, w, h, th.dark);
            }
        }
        if let Some(c) = &self.main_fg {
            let (w, h) = (c.width(), c.height());
            let key = lab.cache_key(Figure::Main, Layer::Foreground);
            if self.fg.stale(key, w, h, th.dark) {
                ops.clear();
                self.frame = lab.record(Figure::Main, Layer::Foreground, w, h, th, &mut ops)?.or(self.frame);
                c.paint(&ops);
                self.fg.mark(key, w, h, th.dark);
            }
        }
        if lab.meta().has_aux() {
            if let Some(c) = self.aux.take() {
                let drawn = self.draw_aux(lab, &c, th, &mut ops);
                self.aux = Some(c);
                drawn?;
            }
        }
        Ok(())
    }

    fn draw_aux(&mut self, lab: &dyn DynLab, c: &Surface, th: &Theme, ops: &mut Vec<crate::plot::backend::Op>) -> Result<(), String> {
        let (w, h) = (c.width(), c.height());
        let bg_key = lab.cache_key(Figure::Aux, Layer::Background);
        let fg_key = lab.cache_key(Figure::Aux, Layer::Foreground);
        // Both layers straight onto the chart.
        let both = |ops: &mut Vec<crate::plot::backend::Op>| -> Result<(), String> {
            ops.clear();
            lab.record(Figure::Aux, Layer::Background, w, h, th, ops)?;
            lab.record(Figure::Aux, Layer::Foreground, w, h, th, ops)?;
            c.paint(ops);
            Ok(())
        };
        let Some(k) = bg_key else {
            // Nothing cached.
            return both(ops);
        };
        let stamp = (k, w, h, th.dark);
        let stale = self.aux_bg.stale(bg_key, w, h, th.dark);
        // A chart whose foreground does not animate is composed once per change, not per frame.
        if !stale && fg_key.is_some_and(|f| self.aux_composed == Some((stamp, f))) {
            return Ok(());
        }
        if stale {
            if let Some(f) = fg_key {
                // A foreground that does not animate: both layers straight onto the chart, no
                // scratch copy and no full-canvas drawImage per change (a software canvas paid ~4 ms
                // for it). The scratch is filled only if the foreground alone changes later.
                both(ops)?;
                self.aux_bg.mark(bg_key, w, h, th.dark);
                self.scratch_holds = None;
                self.aux_composed = Some((stamp, f));
                return Ok(());
            }
        }
        if stale || self.scratch_holds != Some(stamp) {
            if self.aux_scratch.is_none() {
                self.aux_scratch = offscreen(w, h).and_then(Surface::new);
            }
            let s = self.aux_scratch.as_ref().ok_or("no canvas")?;
            if (s.width(), s.height()) != (w, h) {
                s.set_width(w);
                s.set_height(h);
            }
            ops.clear();
            lab.record(Figure::Aux, Layer::Background, w, h, th, ops)?;
            s.paint(ops);
            self.aux_bg.mark(bg_key, w, h, th.dark);
            self.scratch_holds = Some(stamp);
            self.aux_composed = None;
        }
        self.aux_composed = fg_key.map(|f| (stamp, f));
        let ctx = c.ctx();
        if let Some(s) = &self.aux_scratch {
            // `copy` replaces every pixel: no clear first and no blending (a software canvas
            // pays per pixel for both).
            ctx.set_global_composite_operation("copy").map_err(|_| "compose failed")?;
            let drawn = ctx.draw_image_with_html_canvas_element(s, 0.0, 0.0);
            ctx.set_global_composite_operation("source-over").map_err(|_| "compose failed")?;
            drawn.map_err(|_| "compose failed")?;
        } else {
            ctx.clear_rect(0.0, 0.0, w as f64, h as f64);
        }
        ops.clear();
        lab.record(Figure::Aux, Layer::Foreground, w, h, th, ops)?;
        replay(ctx, ops);
        Ok(())
    }
}
