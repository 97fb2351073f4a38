//! The formula panel: each enabled optimizer's update rule as MathML (rendered natively by
//! browsers, no JavaScript maths library), with the current hyper-parameters filled in.

use super::model::OptKind;
use super::Params;
use crate::mathml::*;

fn t() -> String {
    i("t")
}
fn theta_next() -> String {
    sub(&i("θ"), "<mrow><mi>t</mi><mo>+</mo><mn>1</mn></mrow>")
}
fn theta() -> String {
    sub(&i("θ"), &t())
}
fn g() -> String {
    sub(&i("g"), &t())
}
fn var(name: &str) -> String {
    sub(&i(name), &t())
}
fn prev(name: &str) -> String {
    sub(&i(name), "<mrow><mi>t</mi><mo>−</mo><mn>1</mn></mrow>")
}
fn one_minus(b: f64) -> String {
    n(1.0 - b)
}

/// MathML of one optimizer's update.
pub fn rule_mathml(k: OptKind, p: &Params) -> String {
    let g2 = sup(&g(), "<mn>2</mn>");
    match k {
        OptKind::Sgd => lines(&[assign(&theta_next(), &format!("{}<mo>−</mo>{}<mo>⁢</mo>{}", theta(), n(p.sgd_lr), g()))]),
        OptKind::Momentum => lines(&[
            assign(&var("v"), &format!("{}<mo>⁢</mo>{}<mo>+</mo>{}", n(p.momentum_mu), prev("v"), g())),
            assign(&theta_next(), &format!("{}<mo>−</mo>{}<mo>⁢</mo>{}", theta(), n(p.momentum_lr), var("v"))),
        ]),
        OptKind::Nesterov => lines(&[
            assign(&var("v"), &format!("{}<mo>⁢</mo>{}<mo>+</mo>{}", n(p.nesterov_mu), prev("v"), g())),
            assign(
                &theta_next(),
                &format!(
                    "{}<mo>−</mo>{}<mo>⁢</mo>{}",
                    theta(),
                    n(p.nesterov_lr),
                    paren(&format!("{}<mo>+</mo>{}<mo>⁢</mo>{}", g(), n(p.nesterov_mu), var("v")))
                ),
            ),
        ]),
        OptKind::Rmsprop => {
            let denom = if p.rmsprop_eps_inside {
                sqrt(&format!("{}<mo>+</mo>{}", var("v"), n(p.rmsprop_eps)))
            } else {
                format!("{}<mo>+</mo>{}", sqrt(&var("v")), n(p.rmsprop_eps))
            };
            lines(&[
                assign(
                    &var("v"),
                    &format!("{}<mo>⁢</mo>{}<mo>+</mo>{}<mo>⁢</mo>{}", n(p.rmsprop_alpha), prev("v"), one_minus(p.rmsprop_alpha), g2),
                ),
                assign(&theta_next(), &format!("{}<mo>−</mo>{}<mo>⁢</mo>{}", theta(), n(p.rmsprop_lr), frac(&g(), &denom))),
            ])
        }
        OptKind::Adam | OptKind::AdamW | OptKind::AdaBelief => {
            let (lr, b1, b2, eps, wd, belief) = match k {
                OptKind::Adam => (p.adam_lr, p.adam_b1, p.adam_b2, p.adam_eps, None, false),
                OptKind::AdamW => (p.adamw_lr, p.adamw_b1, p.adamw_b2, p.adamw_eps, Some(p.adamw_wd), false),
                _ => (p.adabelief_lr, p.adabelief_b1, p.adabelief_b2, p.adabelief_eps, None, true),
            };
            let second = if belief {
                format!("{}<mo>+</mo>{}", sup(&paren(&format!("{}<mo>−</mo>{}", g(), var("m"))), "<mn>2</mn>"), n(eps))
            } else {
                g2.clone()
            };
            let vname = if belief { "s" } else { "v" };
            let mut rows = vec![
                assign(&var("m"), &format!("{}<mo>⁢</mo>{}<mo>+</mo>{}<mo>⁢</mo>{}", n(b1), prev("m"), one_minus(b1), g())),
                assign(&var(vname), &format!("{}<mo>⁢</mo>{}<mo>+</mo>{}<mo>⁢</mo>{}", n(b2), prev(vname), one_minus(b2), paren(&second))),
                assign(
                    &format!("{}<mo>,</mo>{}", sub(&hat(&i("m")), &t()), sub(&hat(&i(vname)), &t())),
                    &format!(
                        "{}<mo>,</mo>{}",
                        frac(&var("m"), &format!("<mn>1</mn><mo>−</mo>{}", sup(&n(b1), &t()))),
                        frac(&var(vname), &format!("<mn>1</mn><mo>−</mo>{}", sup(&n(b2), &t())))
                    ),
                ),
            ];
            let step = format!(
                "{}<mo>⁢</mo>{}",
                n(lr),
                frac(&sub(&hat(&i("m")), &t()), &format!("{}<mo>+</mo>{}", sqrt(&sub(&hat(&i(vname)), &t())), n(eps)))
            );
            match wd {
                Some(wd) => rows.push(assign(
                    &theta_next(),
                    &format!(
                        "{}<mo>⁢</mo>{}<mo>−</mo>{}",
                        paren(&format!("<mn>1</mn><mo>−</mo>{}<mo>⋅</mo>{}", n(lr), n(wd))),
                        theta(),
                        step
                    ),
                )),
                None => rows.push(assign(&theta_next(), &format!("{}<mo>−</mo>{}", theta(), step))),
            }
            lines(&rows)
        }
        OptKind::SignSgd => lines(&[assign(&theta_next(), &format!("{}<mo>−</mo>{}<mo>⁢</mo>{}", theta(), n(p.signsgd_lr), sign(&g())))]),
        OptKind::Signum => lines(&[
            assign(&var("m"), &format!("{}<mo>⁢</mo>{}<mo>+</mo>{}<mo>⁢</mo>{}", n(p.signum_beta), prev("m"), one_minus(p.signum_beta), g())),
            assign(&theta_next(), &format!("{}<mo>−</mo>{}<mo>⁢</mo>{}", theta(), n(p.signum_lr), sign(&var("m")))),
        ]),
        OptKind::Lion => lines(&[
            assign(&var("u"), &sign(&format!("{}<mo>⁢</mo>{}<mo>+</mo>{}<mo>⁢</mo>{}", n(p.lion_b1), prev("m"), one_minus(p.lion_b1), g()))),
            assign(
                &theta_next(),
                &format!(
                    "{}<mo>−</mo>{}<mo>⁢</mo>{}",
                    theta(),
                    n(p.lion_lr),
                    paren(&format!("{}<mo>+</mo>{}<mo>⁢</mo>{}", var("u"), n(p.lion_wd), theta()))
                ),
            ),
            assign(&var("m"), &format!("{}<mo>⁢</mo>{}<mo>+</mo>{}<mo>⁢</mo>{}", n(p.lion_b2), prev("m"), one_minus(p.lion_b2), g())),
        ]),
        OptKind::Newton => {
            let h = if p.newton_saddlefree { format!("<mo>|</mo>{}<mo>|</mo>", sub(&i("H"), &t())) } else { sub(&i("H"), &t()) };
            lines(&[assign(
                &theta_next(),
                &format!(
                    "{}<mo>−</mo>{}{}",
                    theta(),
                    sup(&paren(&format!("{h}<mo>+</mo>{}<mo>⁢</mo><mi>I</mi>", n(p.newton_damping))), "<mrow><mo>−</mo><mn>1</mn></mrow>"),
                    g()
                ),
            )])
        }
    }
}

/// One section per enabled optimizer, headed by its name.
pub fn mathml(p: &Params) -> String {
    let mut s = String::new();
    for k in OptKind::ALL.into_iter().filter(|k| p.opts.contains(k)) {
        s.push_str(&format!(
            "<section class=\"rule\" data-opt=\"{}\"><h4>{}</h4>{}</section>",
            k.key(),
            crate::i18n::t(k.label()),
            rule_mathml(k, p)
        ));
    }
    if p.noise > 0.0 {
        s.push_str(&format!(
            "<section class=\"rule\"><h4>{}</h4><math display=\"block\"><mrow>{}<mo>=</mo><mo>∇</mo><mi>L</mi>{}<mo>+</mo>{}<mo>⁢</mo><mi>z</mi><mo>,</mo><mspace width=\"1em\"/><mi>z</mi><mo>∼</mo><mi mathvariant=\"script\">N</mi><mo>(</mo><mn>0</mn><mo>,</mo><mi>I</mi><mo>)</mo></mrow></math></section>",
            crate::i18n::t("Gradient noise"),
            sub(&i("g"), &t()),
            paren(&theta()),
            frac(&n(p.noise), &sqrt(&n(p.batch))),
        ));
    }
    s.push_str(&format!("<p class=\"formula-note\">{}</p>", crate::i18n::t("g = ∇L(θ), H = ∇²L(θ). State starts at 0; t counts from 1.")));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_balanced_markup_and_live_numbers() {
        let mut p = Params { opts: OptKind::ALL.to_vec(), noise: 1.5, ..Params::default() };
        p.adam_lr = 0.0123;
        let m = mathml(&p);
        for tag in ["math", "mtable", "mtr", "mtd", "msub", "mfrac", "msqrt", "section", "mrow"] {
            assert_eq!(
                m.matches(&format!("<{tag}>")).count() + m.matches(&format!("<{tag} ")).count(),
                m.matches(&format!("</{tag}>")).count(),
                "<{tag}>"
            );
        }
        assert!(m.contains("<mn>0.0123</mn>"));
        assert_eq!(m.matches("<section").count(), OptKind::ALL.len() + 1);
    }
}
