//! Two languages: English and Simplified Chinese (简体中文).
//!
//! English text is the key (as in gettext): code and control tables are written in English, and
//! [`t`] returns the translation in the current language. The shell's Chinese table lives in
//! `i18n/zh.rs`; each lab keeps its own in its folder (`text.rs`, named in its `LabMeta::zh`) and
//! translates with [`t_in`] through the `t`/`tf` that [`local!`] defines for it. `tests/i18n.rs`
//! fails when any user-visible string of a lab or of the shell has no Chinese entry in a table it
//! can see, or when a table holds an entry nothing uses.
//!
//! The current language is process-wide state set once by the page (from `lang=` or the browser's
//! language) or left at English (CLI, tests): text is the only thing it changes.

use std::sync::atomic::{AtomicU8, Ordering};

mod zh;

/// A supported language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// URL value (`lang=`).
    pub fn key(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-Hans",
        }
    }
    /// Parses `en`, `zh` and browser tags such as `zh-CN`, `en-GB`.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "en" || s.starts_with("en-") {
            Some(Lang::En)
        } else if s == "zh" || s.starts_with("zh-") || s.starts_with("zh_") {
            Some(Lang::Zh)
        } else {
            None
        }
    }
}

static CURRENT: AtomicU8 = AtomicU8::new(0);

/// Sets the language for all text from now on.
pub fn set_lang(l: Lang) {
    CURRENT.store(l as u8, Ordering::Relaxed);
}

/// The current language.
pub fn lang() -> Lang {
    if CURRENT.load(Ordering::Relaxed) == Lang::Zh as u8 {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// A Chinese table: (English, Chinese) pairs.
pub type Table = &'static [(&'static str, &'static str)];

/// The shell's Chinese table.
pub fn table() -> Table {
    zh::ZH
}

/// Translates an English string of the shell into the current language (falls back to English).
pub fn t(en: &'static str) -> &'static str {
    t_in(&[], en)
}

/// Translates an English string, looking in `tables` (a lab's own) before the shell's table.
pub fn t_in(tables: &[Table], en: &'static str) -> &'static str {
    match lang() {
        Lang::En => en,
        Lang::Zh => tables.iter().chain(std::iter::once(&zh::ZH)).find_map(|t| t.iter().find(|(k, _)| *k == en)).map_or(en, |(_, v)| *v),
    }
}

/// Translates a template of the shell and fills its `{}` placeholders in order.
pub fn tf(template: &'static str, args: &[&dyn std::fmt::Display]) -> String {
    tf_in(&[], template, args)
}

/// [`tf`] looking in `tables` before the shell's table.
pub fn tf_in(tables: &[Table], template: &'static str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut rest = t_in(tables, template);
    while let Some(i) = rest.find("{}") {
        out.push_str(&rest[..i]);
        if let Some(a) = args.next() {
            out.push_str(&a.to_string());
        }
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

/// Defines `t` and `tf` for a lab's module: they look in the given tables (the lab's own first)
/// before the shell's. e.g. `local!(ZH, plane::ZH);` in a lab's `text.rs`.
#[macro_export]
macro_rules! i18n_local {
    ($($table:expr),* $(,)?) => {
        /// The tables this lab's text is looked up in, its own first.
        pub const TABLES: &[$crate::i18n::Table] = &[$($table),*];
        /// Translates a string of this lab (see [`crate::i18n::t_in`]).
        pub fn t(en: &'static str) -> &'static str {
            $crate::i18n::t_in(TABLES, en)
        }
        /// Translates a template of this lab and fills its `{}` placeholders.
        pub fn tf(template: &'static str, args: &[&dyn std::fmt::Display]) -> String {
            $crate::i18n::tf_in(TABLES, template, args)
        }
    };
}
pub use crate::i18n_local as local;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_tags() {
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("en-GB"), Some(Lang::En));
        assert_eq!(Lang::parse("de"), None);
    }

    #[test]
    fn templates_fill_in_order() {
        assert_eq!(tf("step {} / {}", &[&3, &40]), "step 3 / 40");
        // Every Chinese template keeps the English one's placeholders.
        for (en, zh) in table() {
            assert_eq!(en.matches("{}").count(), zh.matches("{}").count(), "{en}");
        }
    }
}
