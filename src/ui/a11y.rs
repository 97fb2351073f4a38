//! Accessibility that is not markup: a polite live region that summarises the figure for screen
//! readers, at most every 2 s.

use super::shell::with_shell;
use super::{document, now_ms};

/// Refreshes the screen-reader summary, at most every 2 s unless `now`.
pub(crate) fn update_live(now: bool) {
    let t = now_ms();
    let text = with_shell(|s| {
        if now || t - s.live_at > 2000.0 {
            s.live_at = t;
            Some(s.lab.summary())
        } else {
            None
        }
    })
    .flatten();
    if let (Some(text), Some(el)) = (text, document().get_element_by_id("live")) {
        el.set_text_content(Some(&text));
    }
}
