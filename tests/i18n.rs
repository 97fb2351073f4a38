//! Both languages are complete: every user-visible string of every registered lab and of the
//! shell has a Simplified Chinese entry, and the table has no entry that nothing uses.

use flowlab::i18n::{set_lang, t, table, Lang};
use flowlab::lab::ControlKind;
use flowlab::labs::LABS;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;

/// The language is process-wide: tests that switch it take turns.
static LANG: Mutex<()> = Mutex::new(());

/// String literals passed to `t(…)` / `tf(…)` anywhere in `src/`.
fn literals_in_source() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") || p.ends_with("i18n/zh.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let b = text.as_bytes();
            for (i, _) in text.match_indices('(') {
                // Only calls named `t` or `tf` (not `format`, `it`, …), whose first argument is a
                // string literal, possibly on the next line.
                let name_end = i;
                let mut s = name_end;
                while s > 0 && (b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b'_') {
                    s -= 1;
                }
                let name = &text[s..name_end];
                if name != "t" && name != "tf" {
                    continue;
                }
                let mut q = i + 1;
                while q < b.len() && b[q].is_ascii_whitespace() {
                    q += 1;
                }
                if q >= b.len() || b[q] != b'"' {
                    continue;
                }
                let i = q - 1;
                let mut lit = String::new();
                let mut j = i + 2;
                while j < b.len() && b[j] != b'"' {
                    if b[j] == b'\\' {
                        j += 1;
                        lit.push(match b[j] {
                            b'n' => '\n',
                            c => c as char,
                        });
                        j += 1;
                        continue;
                    }
                    let ch = text[j..].chars().next().unwrap();
                    lit.push(ch);
                    j += ch.len_utf8();
                }
                out.insert(lit);
            }
        }
    }
    out
}

/// Every string the registry shows: titles, texts, captions, control labels, groups, help, options.
fn registry_strings() -> BTreeSet<String> {
    set_lang(Lang::En);
    let mut out = BTreeSet::new();
    for e in LABS {
        let m = (e.meta)();
        for s in [m.title, m.tagline, m.look_at, m.main_caption, m.aux_caption] {
            if !s.is_empty() {
                out.insert(s.to_string());
            }
        }
        for (text, _) in m.try_these {
            out.insert(text.to_string());
        }
        let lab = (e.make)();
        out.insert(lab.pointer_hint().to_string());
        out.insert(lab.pending_label().to_string());
        for c in lab.controls() {
            for s in [c.label, c.group, c.help] {
                if !s.is_empty() {
                    out.insert(s.to_string());
                }
            }
            if let ControlKind::Choice { options } | ControlKind::Set { options } = c.kind {
                for (_, l) in options {
                    out.insert(l.to_string());
                }
            }
        }
    }
    out
}

#[test]
fn chinese_table_is_complete_and_has_no_stale_entries() {
    let _turn = LANG.lock().unwrap_or_else(|e| e.into_inner());
    let mut wanted = registry_strings();
    wanted.extend(flowlab::math::expr::MESSAGES.iter().map(|m| m.to_string()));
    wanted.extend(literals_in_source());
    let have: BTreeSet<String> = table().iter().map(|(k, _)| k.to_string()).collect();
    let missing: Vec<&String> = wanted.difference(&have).collect();
    assert!(
        missing.is_empty(),
        "{} strings have no Chinese entry:\n{}",
        missing.len(),
        missing.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join("\n")
    );
    let stale: Vec<&String> = have.difference(&wanted).collect();
    assert!(stale.is_empty(), "entries nothing uses: {stale:?}");
    let mut seen = BTreeSet::new();
    for (k, v) in table() {
        assert!(seen.insert(*k), "duplicate entry {k:?}");
        assert!(!v.trim().is_empty(), "empty translation for {k:?}");
    }
}

#[test]
fn switching_language_changes_visible_text() {
    let _turn = LANG.lock().unwrap_or_else(|e| e.into_inner());
    let e = &LABS[0];
    set_lang(Lang::Zh);
    let zh_title = t((e.meta)().title);
    let zh_labels: Vec<&str> = (e.make)().controls().iter().map(|c| c.label).collect();
    set_lang(Lang::En);
    assert_ne!(zh_title, (e.meta)().title);
    let en_labels: Vec<&str> = (e.make)().controls().iter().map(|c| c.label).collect();
    assert_ne!(zh_labels, en_labels);
}
