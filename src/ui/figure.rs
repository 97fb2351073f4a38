//! The lab's figures on the page: each as two stacked canvases (background and foreground), and
//! what each layer shows, so that a layer is drawn again only when its cache key, its size or the
//! theme changes ([`crate::lab::Lab::cache_key`]).
//!
//! The linked chart once had one canvas with its background cached on a scratch canvas and
//! copied under every new foreground: a full-canvas `drawImage` per event (0.25 ms of handler
//! and ~0.3 ms of raster at DPR 1, twice that at DPR 2). A second canvas on the page costs
//! nothing while it is not drawn (see [`super::canvas::page_context`]), so it is two layers now.

use super::canvas::Surface;
use crate::lab::{DynLab, Figure, Layer};
use crate::plot::backend::Op;
use crate::plot::theme::Theme;
use crate::plot::PlotFrame;

/// What a cached layer was drawn for: its key, the canvas size and the theme.
type Stamp = (u64, u32, u32, bool);

/// One layer's cache: no stamp means stale (draw it).
#[derive(Default)]
pub(crate) struct LayerCache {
    stamp: Option<Stamp>,
    /// Drawn as a draft (a coarse raster stretched while a slider moved): drawn again in full
    /// once the change settles. Only layers that actually hold such a raster: a lab without one
    /// is not redrawn at the settle.
    drafted: bool,
}

impl LayerCache {
    /// Whether a layer with this key must be drawn on a `w`×`h` canvas in this theme.
    fn stale(&self, key: Option<u64>, w: u32, h: u32, th: &Theme) -> bool {
        match key {
            None => true,
            Some(k) => self.stamp != Some((k, w, h, th.dark)) || (self.drafted && !th.draft),
        }
    }
    fn mark(&mut self, key: Option<u64>, w: u32, h: u32, th: &Theme, drafted: bool) {
        self.stamp = key.map(|k| (k, w, h, th.dark));
        self.drafted = drafted;
    }
    fn clear(&mut self) {
        self.stamp = None;
    }
}

/// The page's canvases and their caches.
#[derive(Default)]
pub(crate) struct Figures {
    /// Background of the main figure.
    pub main_bg: Option<Surface>,
    /// Foreground of the main figure (takes the pointer).
    pub main_fg: Option<Surface>,
    /// Background of the linked chart.
    pub aux_bg: Option<Surface>,
    /// The linked chart's foreground.
    pub aux: Option<Surface>,
    bg: LayerCache,
    fg: LayerCache,
    aux_bg_drawn: LayerCache,
    aux_fg_drawn: LayerCache,
    /// Where the main figure's plotting area is, for pointer mapping.
    pub frame: Option<PlotFrame>,
}

impl Figures {
    /// Forgets what the cached layers show (after background work: its results may be in them).
    pub fn invalidate(&mut self) {
        self.bg.clear();
        self.fg.clear();
        self.aux_bg_drawn.clear();
        self.aux_fg_drawn.clear();
    }

    /// Whether a layer on the page is a draft.
    pub fn has_draft(&self) -> bool {
        [&self.bg, &self.fg, &self.aux_bg_drawn, &self.aux_fg_drawn].iter().any(|c| c.drafted)
    }

    /// Draws what is stale. Returns an error message for the page if drawing failed.
    pub fn draw(&mut self, lab: &dyn DynLab, th: &Theme) -> Result<(), String> {
        let mut ops = Vec::new();
        let main = [(&self.main_bg, &mut self.bg, Layer::Background), (&self.main_fg, &mut self.fg, Layer::Foreground)];
        for (c, cache, layer) in main {
            if let Some(frame) = paint_layer(lab, Figure::Main, layer, c.as_ref(), cache, th, &mut ops)? {
                self.frame = frame.or(self.frame);
            }
        }
        if lab.meta().has_aux() {
            let aux = [(&self.aux_bg, &mut self.aux_bg_drawn, Layer::Background), (&self.aux, &mut self.aux_fg_drawn, Layer::Foreground)];
            for (c, cache, layer) in aux {
                paint_layer(lab, Figure::Aux, layer, c.as_ref(), cache, th, &mut ops)?;
            }
        }
        Ok(())
    }
}

/// Draws one layer onto its canvas if it is stale; returns the figure's frame if it was drawn.
fn paint_layer(
    lab: &dyn DynLab,
    fig: Figure,
    layer: Layer,
    c: Option<&Surface>,
    cache: &mut LayerCache,
    th: &Theme,
    ops: &mut Vec<Op>,
) -> Result<Option<Option<PlotFrame>>, String> {
    let Some(c) = c else { return Ok(None) };
    let (w, h) = (c.width(), c.height());
    let key = lab.cache_key(fig, layer);
    if !cache.stale(key, w, h, th) {
        return Ok(None);
    }
    ops.clear();
    let frame = lab.record(fig, layer, w, h, th, ops)?;
    c.paint(ops);
    // Only a layer that holds a draft raster is drawn again at the settle.
    let drafted = th.draft && ops.iter().any(|o| matches!(o, Op::Image { img, .. } if img.draft));
    cache.mark(key, w, h, th, drafted);
    Ok(Some(frame))
}
