//! Downloads: the figure as PNG (twice its displayed resolution) and as SVG (the same recording
//! written by [`crate::plot::svg`]), the lab's data as CSV and JSON. File names carry the lab slug;
//! SVG and CSV carry the full state URL.

use super::canvas::{context, offscreen, png_base64, replay};
use super::shell::with_shell;
use super::{document, theme};
use crate::i18n::t;
use crate::lab::{Figure, Layer};
use wasm_bindgen::{JsCast, JsValue};

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

/// CSS size of the figure's canvases: (width, main height, linked chart height or 0).
fn css_sizes() -> Option<(f64, f64, f64)> {
    with_shell(|s| {
        let main = s.figures.main_bg.as_ref()?;
        let aux = if s.lab.meta().has_aux() { s.figures.aux.as_ref().map(|a| a.client_height() as f64).unwrap_or(0.0) } else { 0.0 };
        Some((main.client_width() as f64, main.client_height() as f64, aux))
    })
    .flatten()
}

/// What the export buttons do; returns an error message for the page on failure.
pub(crate) fn export(kind: &str) -> Result<(), String> {
    let slug = with_shell(|s| s.lab.slug()).ok_or(t("no lab"))?;
    // Files carry finished results, never a half-done background computation.
    with_shell(|s| s.lab.complete());
    let url = super::url::page_url(&[]);
    let name = format!("flowlab-{slug}.{kind}");
    match kind {
        "png" => {
            let mut th = theme();
            th.scale = 2.0;
            let (w, mh, ah) = css_sizes().ok_or(t("no figure"))?;
            let (pw, ph) = ((2.0 * w).round() as u32, (2.0 * mh).round() as u32);
            let out = offscreen(pw, ph + (2.0 * ah).round() as u32).ok_or(t("no canvas"))?;
            let ctx = context(&out).ok_or(t("no 2d"))?;
            ctx.set_fill_style_str(&format!("rgb({},{},{})", th.bg.0, th.bg.1, th.bg.2));
            ctx.fill_rect(0.0, 0.0, out.width() as f64, out.height() as f64);
            let mut ops = Vec::new();
            with_shell(|s| -> Result<(), String> {
                s.lab.record(Figure::Main, Layer::Background, pw, ph, &th, &mut ops)?;
                s.lab.record(Figure::Main, Layer::Foreground, pw, ph, &th, &mut ops)?;
                Ok(())
            })
            .ok_or(t("no lab"))??;
            replay(&ctx, &ops);
            if ah > 0.0 {
                let aux = offscreen(pw, (2.0 * ah).round() as u32).ok_or(t("no canvas"))?;
                ops.clear();
                with_shell(|s| -> Result<(), String> {
                    s.lab.record(Figure::Aux, Layer::Background, aux.width(), aux.height(), &th, &mut ops)?;
                    s.lab.record(Figure::Aux, Layer::Foreground, aux.width(), aux.height(), &th, &mut ops)?;
                    Ok(())
                })
                .ok_or(t("no lab"))??;
                super::canvas::paint_ops(&aux, &ops);
                ctx.draw_image_with_html_canvas_element(&aux, 0.0, ph as f64).map_err(|_| t("compose failed"))?;
            }
            download(&out.to_data_url().map_err(|_| t("PNG encoding failed"))?, &name);
        }
        "svg" => {
            let (w, mh, ah) = css_sizes().ok_or(t("no figure"))?;
            let mut th = theme();
            th.scale = 1.0;
            let svg = with_shell(|s| s.lab.render_svg(w.round() as u32, (mh + ah).round() as u32, &th, &url, &png_base64))
                .ok_or(t("no lab"))??;
            download_text(&svg, "image/svg+xml", &name);
        }
        "csv" => download_text(&with_shell(|s| crate::lab::to_csv(s.lab.as_ref(), &url)).ok_or(t("no lab"))?, "text/csv", &name),
        "json" => download_text(&with_shell(|s| crate::lab::to_json(s.lab.as_ref(), &url)).ok_or(t("no lab"))?, "application/json", &name),
        _ => return Err(crate::i18n::tf("unknown export {}", &[&kind])),
    }
    Ok(())
}
