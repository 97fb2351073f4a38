//! Downloads: the figure as PNG (twice its displayed resolution) and as SVG (the same render code
//! through plotters' SVG backend), the lab's data as CSV and JSON. File names carry the lab slug;
//! SVG and CSV carry the full state URL.

use super::{document, theme, with_lab};
use crate::i18n::t;
use crate::lab::{Figure, Layer};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlCanvasElement;

fn download(href: &str, name: &str) {
    let Ok(a) = document().create_element("a").map(|e| e.unchecked_into::<web_sys::HtmlAnchorElement>()) else { return };
    a.set_href(href);
    a.set_download(name);
    if let Some(body) = document().body() {
        let _ = body.append_child(&a);
        a.click();
        let _ = body.remove_child(&a);
    }
}

fn download_text(text: &str, mime: &str, name: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) {
        if let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) {
            download(&url, name);
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    }
}

fn css_size(id: &str) -> Option<(f64, f64)> {
    let el = document().get_element_by_id(id)?;
    Some((el.client_width() as f64, el.client_height() as f64))
}

fn scratch(w: f64, h: f64) -> Option<HtmlCanvasElement> {
    let c: HtmlCanvasElement = document().create_element("canvas").ok()?.dyn_into().ok()?;
    c.set_width(w.round().max(1.0) as u32);
    c.set_height(h.round().max(1.0) as u32);
    Some(c)
}

/// What the export buttons do; returns an error message for the page on failure.
pub(crate) fn export(kind: &str) -> Result<(), String> {
    let slug = with_lab(|s| s.lab.slug()).ok_or(t("no lab"))?;
    // Files carry finished results, never a half-done background computation.
    with_lab(|s| s.lab.complete());
    let url = super::share::page_url(&[]);
    let name = format!("flowlab-{slug}.{kind}");
    match kind {
        "png" => {
            let mut th = theme();
            th.scale = 2.0;
            let (w, mh) = css_size("main-bg").ok_or(t("no figure"))?;
            let ah = if with_lab(|s| s.lab.has_aux()).unwrap_or(false) { css_size("aux").map(|s| s.1).unwrap_or(0.0) } else { 0.0 };
            let out = scratch(2.0 * w, 2.0 * (mh + ah)).ok_or(t("no canvas"))?;
            let ctx: web_sys::CanvasRenderingContext2d =
                out.get_context("2d").ok().flatten().ok_or(t("no 2d"))?.dyn_into().map_err(|_| t("no 2d"))?;
            ctx.set_fill_style_str(&format!("rgb({},{},{})", th.bg.0, th.bg.1, th.bg.2));
            ctx.fill_rect(0.0, 0.0, out.width() as f64, out.height() as f64);
            let layers =
                [(Figure::Main, Layer::Background, 0.0, mh), (Figure::Main, Layer::Foreground, 0.0, mh), (Figure::Aux, Layer::All, mh, ah)];
            for (fig, layer, y, h) in layers {
                if h <= 0.0 {
                    continue;
                }
                let c = scratch(2.0 * w, 2.0 * h).ok_or(t("no canvas"))?;
                with_lab(|s| s.lab.render_canvas(fig, layer, &c, &th)).ok_or(t("no lab"))??;
                ctx.draw_image_with_html_canvas_element(&c, 0.0, 2.0 * y).map_err(|_| t("compose failed"))?;
            }
            download(&out.to_data_url().map_err(|_| t("PNG encoding failed"))?, &name);
        }
        "svg" => {
            let (w, mh) = css_size("main-bg").ok_or(t("no figure"))?;
            let ah = if with_lab(|s| s.lab.has_aux()).unwrap_or(false) { css_size("aux").map(|s| s.1).unwrap_or(0.0) } else { 0.0 };
            let mut th = theme();
            th.scale = 1.0;
            let svg = with_lab(|s| s.lab.render_svg(w.round() as u32, (mh + ah).round() as u32, &th, &url)).ok_or(t("no lab"))??;
            download_text(&svg, "image/svg+xml", &name);
        }
        "csv" => download_text(&with_lab(|s| crate::lab::to_csv(s.lab.as_ref(), &url)).ok_or(t("no lab"))?, "text/csv", &name),
        "json" => download_text(&with_lab(|s| crate::lab::to_json(s.lab.as_ref(), &url)).ok_or(t("no lab"))?, "application/json", &name),
        _ => return Err(crate::i18n::tf("unknown export {}", &[&kind])),
    }
    Ok(())
}
