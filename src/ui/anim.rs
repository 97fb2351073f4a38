//! The animation loop: one `requestAnimationFrame` callback for the page's lifetime that advances
//! a playing run, runs background work within a time budget, and writes a stale URL. It idles
//! (draws nothing) when there is nothing to do, and cancels its frame on cleanup.

use super::shell::{with_shell, Ui};
use super::{draw_frame, refresh_formulas, refresh_panels, refresh_panels_throttled, url, window};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Milliseconds of background work per frame: the page stays responsive while a long
/// computation runs.
pub(crate) const WORK_BUDGET_MS: f64 = 8.0;

fn frame_rate(total: usize, speed: f64) -> f64 {
    // A full run takes about three seconds at 1×, however many steps it has.
    (total as f64 / 180.0).max(1.0 / 12.0) * speed
}

/// One animation frame of a playing run: advance and draw. Returns the milliseconds spent.
pub(crate) fn tick(ui: Ui) -> f64 {
    let t0 = super::now_ms();
    let speed = ui.speed.get_untracked();
    let more = with_shell(|s| {
        let (_, total) = s.lab.progress();
        s.owed += frame_rate(total, speed);
        let n = s.owed.floor() as usize;
        s.owed -= n as f64;
        if n > 0 {
            s.lab.advance(n)
        } else {
            true
        }
    })
    .unwrap_or(false);
    draw_frame(ui);
    if more {
        refresh_panels_throttled(ui);
    } else {
        ui.playing.set(false);
        refresh_panels(ui);
    }
    super::now_ms() - t0
}

/// Runs the lab's background work for at most `budget_ms`, then redraws. When the work finishes,
/// the formulas (which may show its results) are refreshed.
pub(crate) fn background_work(ui: Ui, budget_ms: f64) {
    let t0 = super::now_ms();
    let mut more = true;
    while more && super::now_ms() - t0 < budget_ms {
        more = with_shell(|s| s.lab.work()).unwrap_or(false);
    }
    // What the work produced may be part of the cached layers.
    with_shell(|s| s.figures.invalidate());
    draw_frame(ui);
    if more {
        refresh_panels_throttled(ui);
    } else {
        refresh_panels(ui);
        refresh_formulas(ui);
    }
}

/// Starts the loop; on the owner's cleanup the pending frame is cancelled.
pub(crate) fn start_loop(ui: Ui) {
    type Frame = Rc<RefCell<Option<Closure<dyn FnMut()>>>>;
    let cb: Frame = Rc::new(RefCell::new(None));
    let handle = Rc::new(std::cell::Cell::new(0i32));
    let (cb2, handle2) = (cb.clone(), handle.clone());
    *cb.borrow_mut() = Some(Closure::new(move || {
        if ui.playing.get_untracked() {
            tick(ui);
        }
        if ui.pending.get_untracked().is_some() {
            let quiet = with_shell(|s| {
                let q = s.quiet_frames > 0;
                s.quiet_frames = s.quiet_frames.saturating_sub(1);
                q
            });
            if quiet == Some(false) {
                background_work(ui, WORK_BUDGET_MS);
            }
        }
        url::settle(ui);
        if let Some(f) = cb2.borrow().as_ref() {
            handle2.set(window().request_animation_frame(f.as_ref().unchecked_ref()).unwrap_or(0));
        }
    }));
    if let Some(f) = cb.borrow().as_ref() {
        handle.set(window().request_animation_frame(f.as_ref().unchecked_ref()).unwrap_or(0));
    }
    // The closure refers to itself through `cb`: break the cycle on cleanup.
    let keep = send_wrapper::SendWrapper::new((cb, handle));
    on_cleanup(move || {
        let (cb, handle) = keep.take();
        let _ = window().cancel_animation_frame(handle.get());
        cb.borrow_mut().take();
    });
}
