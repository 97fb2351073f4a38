//! The animation loop: one `requestAnimationFrame` callback for the page's lifetime that advances
//! a playing run and runs background work within a time budget. It requests no frame when there
//! is nothing to do (woken by [`wake`]), and cancels its frame on cleanup.

use super::shell::{with_shell, Ui};
use super::{draw_frame, refresh_formulas, refresh_panels, refresh_panels_throttled, window};
use leptos::prelude::*;
use std::cell::RefCell;
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

/// The loop's one frame callback and whether a frame is requested.
struct Loop {
    cb: Closure<dyn FnMut()>,
    handle: i32,
    scheduled: bool,
}

thread_local! {
    static LOOP: RefCell<Option<Loop>> = const { RefCell::new(None) };
}

/// Requests the loop's next frame unless one is already requested. Called whenever something gives
/// the loop work (play, background work, an embed shown again).
pub(crate) fn wake() {
    LOOP.with(|l| {
        // Borrowed only for bookkeeping (here, the callback's first line, start and cleanup), none of
        // which re-enters.
        let Ok(mut l) = l.try_borrow_mut() else { return };
        if let Some(l) = l.as_mut().filter(|l| !l.scheduled) {
            l.handle = window().request_animation_frame(l.cb.as_ref().unchecked_ref()).unwrap_or(0);
            l.scheduled = true;
        }
    });
}

/// Whether the loop has work for the next frame. An idle page requests no frames: a perpetual
/// `requestAnimationFrame` loop kept the main thread ~34–47 ms/s busy doing nothing (measured on
/// an idle lab page; ~36 ms/s on a blank page), on every open tab and every embedded figure. (The
/// address bar is written by a timer, [`super::url::start_settler`].)
fn has_work(ui: Ui) -> bool {
    let suspended = with_shell(|s| s.suspended).unwrap_or(false);
    !suspended && (ui.playing.get_untracked() || ui.pending.get_untracked().is_some())
}

/// Starts the loop; it runs while [`has_work`] and is woken by [`wake`]. On the owner's cleanup
/// the pending frame is cancelled.
pub(crate) fn start_loop(ui: Ui) {
    let cb = Closure::new(move || {
        LOOP.with(|l| {
            if let Some(l) = l.borrow_mut().as_mut() {
                l.scheduled = false;
            }
        });
        let suspended = with_shell(|s| s.suspended).unwrap_or(false);
        if ui.playing.get_untracked() && !suspended {
            tick(ui);
        }
        if ui.pending.get_untracked().is_some() && !suspended {
            let quiet = with_shell(|s| {
                let q = s.quiet_frames > 0;
                s.quiet_frames = s.quiet_frames.saturating_sub(1);
                q
            });
            if quiet == Some(false) {
                background_work(ui, WORK_BUDGET_MS);
            }
        }
        if has_work(ui) {
            wake();
        }
    });
    LOOP.with(|l| *l.borrow_mut() = Some(Loop { cb, handle: 0, scheduled: false }));
    wake();
    // Playing or background work starting (from any control, key or message) wakes the loop.
    Effect::new(move |_| {
        if ui.playing.get() || ui.pending.with(|p| p.is_some()) {
            wake();
        }
    });
    on_cleanup(move || {
        LOOP.with(|l| {
            if let Some(l) = l.borrow_mut().take() {
                let _ = window().cancel_animation_frame(l.handle);
            }
        });
    });
}
