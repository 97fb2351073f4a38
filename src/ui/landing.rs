//! The landing page: a card per lab with a thumbnail drawn by the lab's own render code.

use super::canvas::{fit, Surface};
use super::page::Header;
use super::{document, now_ms};
use crate::i18n::{t, tf};
use crate::lab::{Figure, Layer};
use crate::labs::LABS;
use crate::plot::theme::Theme;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The landing page; `unknown` is a `lab=` that names no lab.
#[component]
pub(crate) fn Landing(unknown: Option<String>) -> impl IntoView {
    view! {
        <Header/>
        <main class="landing">
            {unknown.map(|u| view! { <p class="notice" role="status">{tf("There is no lab called '{}'. Pick one below.", &[&u])}</p> })}
            <h1>"flowlab"</h1>
            <p class="lead">{t("The mathematics of modern machine learning, live: move a slider and watch the optimizer, the flow or the distribution respond. Every figure is a link.")}</p>
            <ul class="cards">
                {LABS.iter().map(|e| {
                    let m = e.meta;
                    view! {
                        <li class="card" data-slug=e.slug>
                            <a href=format!("?lab={}", e.slug)>
                                <canvas id=format!("thumb-{}", e.slug) class="thumb" role="img" aria-label=m.t(m.main_caption)></canvas>
                                <h2>{m.t(m.title)}</h2>
                                <p>{m.t(m.tagline)}</p>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </main>
    }
}

/// Draws each card's thumbnail with the lab's own render code at default settings.
pub(crate) fn draw_thumbnails(theme: &Theme) {
    let mut th = theme.clone();
    let dpr = th.scale;
    // Thumbnails are small: draw text and strokes smaller than on the lab page.
    th.scale *= 0.6;
    for e in LABS {
        let Some(c) =
            document().get_element_by_id(&format!("thumb-{}", e.slug)).and_then(|el| el.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        else {
            continue;
        };
        let w = (c.client_width() as f64).max(160.0);
        fit(&c, w, (w * 0.62).round(), dpr);
        let mut lab = (e.make)();
        lab.advance(usize::MAX);
        // Background work gets a small budget: the landing page must not wait for a reference solve.
        let t0 = now_ms();
        while now_ms() - t0 < 30.0 && lab.work() {}
        let mut ops = Vec::new();
        let ok = lab.record(Figure::Main, Layer::Background, c.width(), c.height(), &th, &mut ops).is_ok()
            && lab.record(Figure::Main, Layer::Foreground, c.width(), c.height(), &th, &mut ops).is_ok();
        if ok {
            // Created desynchronized (see `page_context`): nine thumbnails would otherwise be
            // copied at every repaint of the landing page (a card's hover, the language menu).
            if let Some(s) = Surface::on_page(c) {
                s.paint(&ops);
            }
        }
    }
}
