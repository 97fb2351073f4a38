//! Both languages are complete: every user-visible string of every registered lab and of the
//! shell has a Simplified Chinese entry in a table it is looked up in, and no table holds an entry
//! that nothing uses. A lab's own strings live in its folder (`src/labs/<slug>/text.rs`, listed in
//! its `LabMeta::zh`); strings of the shell, of shared code and of more than one lab live in the
//! shell's table (`src/i18n/zh.rs`).

use flowlab::i18n::{set_lang, t, table, Lang};
use flowlab::lab::ControlKind;
use flowlab::labs::{LabEntry, LABS};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The language is process-wide: tests that switch it take turns.
static LANG: Mutex<()> = Mutex::new(());

/// String literals passed to `t(…)` / `tf(…)` in one source file.
fn literals_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let b = text.as_bytes();
    for (i, _) in text.match_indices('(') {
        // Only calls named `t` or `tf` (not `format`, `it`, …), whose first argument is a string
        // literal, possibly on the next line.
        let mut s = i;
        while s > 0 && (b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b'_') {
            s -= 1;
        }
        if &text[s..i] != "t" && &text[s..i] != "tf" {
            continue;
        }
        let mut q = i + 1;
        while q < b.len() && b[q].is_ascii_whitespace() {
            q += 1;
        }
        if q >= b.len() || b[q] != b'"' {
            continue;
        }
        let mut lit = String::new();
        let mut j = q + 1;
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
    out
}

/// Literals per source file under `src/` (the Chinese tables themselves left out).
fn sources() -> Vec<(PathBuf, BTreeSet<String>)> {
    let mut out = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("i18n/zh.rs") {
                let lits = literals_in(&std::fs::read_to_string(&p).unwrap());
                out.push((p, lits));
            }
        }
    }
    out
}

/// The folder of a lab.
fn folder(e: &LabEntry) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/labs").join(e.slug)
}

/// Every string a lab shows: its registry texts (title, captions, controls, options …) and the
/// literals translated in its folder.
fn lab_strings(e: &LabEntry, src: &[(PathBuf, BTreeSet<String>)]) -> BTreeSet<String> {
    set_lang(Lang::En);
    let m = e.meta;
    let mut out: BTreeSet<String> = [m.title, m.tagline, m.look_at, m.main_caption, m.aux_caption, m.pointer_hint, m.pending_label]
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    out.extend(m.try_these.iter().map(|(text, _)| text.to_string()));
    for c in (e.make)().controls() {
        out.extend([c.label, c.group, c.help].into_iter().filter(|s| !s.is_empty()).map(str::to_string));
        if let ControlKind::Choice { options } | ControlKind::Set { options } = c.kind {
            out.extend(options.iter().map(|(_, l)| l.to_string()));
        }
    }
    let dir = folder(e);
    for (p, lits) in src {
        if p.starts_with(&dir) {
            out.extend(lits.iter().cloned());
        }
    }
    out
}

fn keys(t: &[(&str, &str)]) -> BTreeSet<String> {
    t.iter().map(|(k, _)| k.to_string()).collect()
}

#[test]
fn chinese_tables_are_complete_and_have_no_stale_entries() {
    let _turn = LANG.lock().unwrap_or_else(|e| e.into_inner());
    let src = sources();
    let shell: BTreeSet<String> = keys(table());
    let mut used_shell: BTreeSet<String> = flowlab::math::expr::MESSAGES.iter().map(|m| m.to_string()).collect();
    // Literals outside every lab folder are the shell's.
    let lab_dirs: Vec<PathBuf> = LABS.iter().map(folder).collect();
    for (p, lits) in &src {
        if !lab_dirs.iter().any(|d| p.starts_with(d)) {
            used_shell.extend(lits.iter().cloned());
        }
    }
    let mut problems: Vec<String> = Vec::new();
    for v in &used_shell {
        if !shell.contains(v) {
            problems.push(format!("shell: no Chinese for {v:?}"));
        }
    }
    // A string in two labs' tables must read the same in both (one string, one translation).
    let mut owner: BTreeMap<String, (&str, &str)> = BTreeMap::new();
    for e in LABS {
        let wanted = lab_strings(e, &src);
        let own: BTreeSet<String> = e.meta.zh.iter().flat_map(|t| keys(t)).collect();
        for (k, v) in e.meta.zh.iter().flat_map(|t| t.iter()) {
            if let Some((other, zh)) = owner.insert(k.to_string(), (e.slug, v)) {
                if other != e.slug && zh != *v {
                    problems.push(format!("{k:?} is translated differently by {other} and {}", e.slug));
                }
            }
        }
        for v in wanted.iter().filter(|v| !own.contains(*v)) {
            if shell.contains(v) {
                used_shell.insert(v.clone());
            } else {
                problems.push(format!("{}: no Chinese for {v:?}", e.slug));
            }
        }
        for k in &own {
            if !wanted.contains(k) {
                problems.push(format!("{}: entry {k:?} is not used by the lab", e.slug));
            }
            if shell.contains(k) {
                problems.push(format!("{}: entry {k:?} is also in the shell's table", e.slug));
            }
        }
    }
    for k in shell.difference(&used_shell) {
        problems.push(format!("shell: entry {k:?} is used by nothing"));
    }
    let all: Vec<&[(&str, &str)]> = std::iter::once(table()).chain(LABS.iter().flat_map(|e| e.meta.zh.iter().copied())).collect();
    for t in all {
        let mut seen = BTreeSet::new();
        for (k, v) in t {
            if !seen.insert(*k) {
                problems.push(format!("duplicate entry {k:?}"));
            }
            if v.trim().is_empty() {
                problems.push(format!("empty translation for {k:?}"));
            }
            if k.matches("{}").count() != v.matches("{}").count() {
                problems.push(format!("{k:?}: the translation has other placeholders"));
            }
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn switching_language_changes_visible_text() {
    let _turn = LANG.lock().unwrap_or_else(|e| e.into_inner());
    for e in LABS {
        set_lang(Lang::Zh);
        let zh_title = e.meta.t(e.meta.title);
        let zh_labels: Vec<&str> = (e.make)().controls().iter().map(|c| c.label).collect();
        let zh_readouts = (e.make)().readouts();
        set_lang(Lang::En);
        assert_ne!(zh_title, e.meta.title, "{}: the title is translated", e.slug);
        let en_labels: Vec<&str> = (e.make)().controls().iter().map(|c| c.label).collect();
        assert_ne!(zh_labels, en_labels, "{}: the control labels are translated", e.slug);
        assert_ne!(zh_readouts, (e.make)().readouts(), "{}: the readouts are translated", e.slug);
    }
    assert_ne!(t("Share"), "分享", "English is back");
}
