//! A unit's letter texts: the body with its fixed set of `{{ placeholder }}`s, checked when a
//! supervisor saves it and rendered when a letter is issued, and the defaults shipped in the
//! binary for a unit that keeps no text of its own.
//!
//! A body is plain text. Its placeholders are the only markup it may hold: `{{ name }}`, with
//! at most a few case filters (`{{ recipient_name|upper }}`); statements (`{% … %}`),
//! expressions, unknown names and unknown filters are refused when it is saved, so what a
//! supervisor writes can neither compute nor fail later. Every value is HTML-escaped on the
//! way in, and so is the supervisor's own text: the rendered body is safe to print as HTML.

use std::sync::LazyLock;

use entity::values::LetterKind;
use minijinja::{AutoEscape, Environment};
use serde::Serialize;

/// The placeholders a body may use, as the request's documentation lists them.
pub const PLACEHOLDERS: &[&str] = &[
    "recipient_name",
    "honorific",
    "event",
    "event_date",
    "unit",
    "signer_name",
    "signer_title",
    "issue_date",
    "letter_number",
];

/// The filters a placeholder may go through: case only, nothing that unescapes or computes.
const FILTERS: &[&str] = &["upper", "lower", "title", "capitalize", "trim"];

/// What the placeholders stand for in one letter, each already written as printed
/// (dates as `07/12/2026`).
#[derive(Debug, Clone, Serialize)]
pub struct Values {
    pub recipient_name: String,
    pub honorific: String,
    pub event: String,
    pub event_date: String,
    pub unit: String,
    pub signer_name: String,
    pub signer_title: String,
    pub issue_date: String,
    pub letter_number: String,
}

impl Values {
    /// Values of the shape real ones have, for the trial render of a body being saved.
    fn sample() -> Values {
        Values {
            recipient_name: "Nguyễn Văn An".into(),
            honorific: "Ông/Bà".into(),
            event: "chào đón thành viên mới".into(),
            event_date: "07/12/2026".into(),
            unit: "UBND phường Lái Thiêu".into(),
            signer_name: "Trần Thị Bình".into(),
            signer_title: "Chủ tịch".into(),
            issue_date: "07/12/2026".into(),
            letter_number: "1/TCM".into(),
        }
    }
}

/// Why a body cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateProblem {
    /// A statement or tag (`{% … %}`).
    Statement,
    /// `{{ … }}` holding more than a placeholder and case filters.
    Expression(String),
    /// Placeholders outside the fixed set, sorted.
    Unknown(Vec<String>),
    /// What the template engine could not parse.
    Syntax(String),
}

/// The engine for bodies: values escaped as HTML whatever the template's name, the document
/// filters available, an unknown value an error rather than an empty string.
static BODIES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    crate::documents::add_filters(&mut env);
    env
});

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The body with its literal text HTML-escaped and its `{{ … }}` left for the engine; each
/// `{{ … }}` is handed to `expression` first (`Err` stops the scan).
fn escape_text(
    body: &str,
    mut expression: impl FnMut(&str) -> Result<(), TemplateProblem>,
) -> Result<String, TemplateProblem> {
    let mut out = String::with_capacity(body.len() + 16);
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        out.push_str(&escape_html(&rest[..start]));
        let after = &rest[start..];
        let Some(end) = after.find("}}") else {
            return Err(TemplateProblem::Syntax("`{{` without `}}`".into()));
        };
        expression(after[2..end].trim_matches(|c: char| c == '-' || c.is_whitespace()))?;
        out.push_str(&after[..end + 2]);
        rest = &after[end + 2..];
    }
    out.push_str(&escape_html(rest));
    Ok(out)
}

/// Whether an expression is a name with optional allowed filters (`recipient_name|upper`).
fn simple_expression(expression: &str) -> Result<(), TemplateProblem> {
    let is_name = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    let mut parts = expression.split('|').map(str::trim);
    let name_ok = parts.next().is_some_and(is_name);
    if name_ok && parts.all(|filter| FILTERS.contains(&filter)) {
        Ok(())
    } else {
        Err(TemplateProblem::Expression(expression.to_owned()))
    }
}

/// Checks a body a supervisor saves: placeholders of the fixed set only, no statements, and
/// a trial render with sample values.
pub fn check(body: &str) -> Result<(), TemplateProblem> {
    if body.contains("{%") {
        return Err(TemplateProblem::Statement);
    }
    let source = escape_text(body, simple_expression)?;
    let template = BODIES.template_from_str(&source).map_err(|e| TemplateProblem::Syntax(e.to_string()))?;
    let mut unknown: Vec<String> = template
        .undeclared_variables(false)
        .into_iter()
        .filter(|name| !PLACEHOLDERS.contains(&name.as_str()))
        .collect();
    if !unknown.is_empty() {
        unknown.sort();
        return Err(TemplateProblem::Unknown(unknown));
    }
    template.render(Values::sample()).map(drop).map_err(|e| TemplateProblem::Syntax(e.to_string()))
}

/// The body with `values` filled in, as paragraphs of escaped HTML (one per non-empty line).
pub fn render(body: &str, values: &Values) -> Result<Vec<String>, String> {
    let source = escape_text(body, simple_expression).map_err(|e| format!("{e:?}"))?;
    let text = BODIES.render_str(&source, values).map_err(|e| e.to_string())?;
    Ok(text.lines().map(str::trim).filter(|line| !line.is_empty()).map(str::to_owned).collect())
}

/// A kind's text as shipped: title, body, signer's title and name.
pub struct DefaultText {
    pub title: &'static str,
    pub body: &'static str,
    pub signer_title: &'static str,
    pub signer_name: &'static str,
}

/// The text of a kind of letter for a unit that keeps none of its own.
pub fn default_text(kind: LetterKind) -> DefaultText {
    match kind {
        LetterKind::Congratulation => DefaultText {
            title: "THƯ CHÚC MỪNG",
            body: include_str!("../../templates/letters/congratulation.txt"),
            signer_title: "CHỦ TỊCH",
            signer_name: "",
        },
        LetterKind::Condolence => DefaultText {
            title: "THƯ CHIA BUỒN",
            body: include_str!("../../templates/letters/condolence.txt"),
            signer_title: "CHỦ TỊCH",
            signer_name: "",
        },
        LetterKind::ThankYou => DefaultText {
            title: "THƯ CẢM ƠN",
            body: include_str!("../../templates/letters/thank_you.txt"),
            signer_title: "CHỦ TỊCH",
            signer_name: "",
        },
    }
}

/// The symbol after a letter's number ("Số: 12/TCM").
pub fn symbol(kind: LetterKind) -> &'static str {
    match kind {
        LetterKind::Congratulation => "TCM",
        LetterKind::Condolence => "TCB",
        LetterKind::ThankYou => "TCƠ",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::values::LetterKind;
    use sea_orm::Iterable;

    #[test]
    fn the_shipped_bodies_pass_their_own_check() {
        for kind in LetterKind::iter() {
            assert_eq!(check(default_text(kind).body), Ok(()), "{kind:?}");
        }
    }

    #[test]
    fn values_and_the_text_around_them_are_escaped() {
        let values = Values {
            recipient_name: "<script>alert(1)</script>".into(),
            honorific: "Lê & Trần".into(),
            ..Values::sample()
        };
        let paragraphs =
            render("Kính gửi {{ honorific }} {{ recipient_name }} <b>\n\n  Trân trọng.", &values)
                .expect("renders");
        assert_eq!(
            paragraphs,
            ["Kính gửi Lê &amp; Trần &lt;script&gt;alert(1)&lt;&#x2f;script&gt; &lt;b&gt;", "Trân trọng."]
        );
    }

    #[test]
    fn unknown_placeholders_are_named() {
        assert_eq!(
            check("{{ recipient_name }} {{ salary }} {{ address }}"),
            Err(TemplateProblem::Unknown(vec!["address".into(), "salary".into()]))
        );
    }

    #[test]
    fn statements_expressions_and_bad_syntax_are_refused() {
        assert_eq!(check("{% for x in event %}{{ x }}{% endfor %}"), Err(TemplateProblem::Statement));
        assert!(matches!(check("{{ recipient_name * 1000 }}"), Err(TemplateProblem::Expression(_))));
        assert!(matches!(check("{{ recipient_name|safe }}"), Err(TemplateProblem::Expression(_))));
        assert!(matches!(check("{{ range(10) }}"), Err(TemplateProblem::Expression(_))));
        assert!(matches!(check("Kính gửi {{ recipient_name"), Err(TemplateProblem::Syntax(_))));
        assert_eq!(check("{{ recipient_name|upper }} {{- event -}}"), Ok(()));
    }
}
