//! The two languages the API speaks. Vietnamese is the default; English on request.
//!
//! The language is chosen once per request (from `Accept-Language`) by the request-context
//! middleware and kept in a task-local, so that any error rendered anywhere while that request
//! runs speaks the caller's language without threading the choice through every function.

use std::borrow::Cow;

use poem::http::{HeaderMap, header::ACCEPT_LANGUAGE};

/// A language the API can answer in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

tokio::task_local! {
    static CURRENT: Lang;
}

impl Lang {
    /// Picks the best of vi/en from an `Accept-Language` header (q-values honoured);
    /// Vietnamese when neither is asked for.
    pub fn negotiate(headers: &HeaderMap) -> Lang {
        let Some(value) = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
            return Lang::Vi;
        };
        let mut best: Option<(f32, Lang)> = None;
        for item in value.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
                .unwrap_or(1.0);
            let lang = match tag.split('-').next().unwrap_or_default() {
                "vi" => Lang::Vi,
                "en" => Lang::En,
                _ => continue,
            };
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map_or(Lang::Vi, |(_, lang)| lang)
    }

    /// The language of the request being served (Vietnamese outside a request).
    pub fn current() -> Lang {
        CURRENT.try_with(|lang| *lang).unwrap_or_default()
    }

    /// Runs `fut` with `self` as the current language.
    pub async fn scope<F: Future>(self, fut: F) -> F::Output {
        CURRENT.scope(self, fut).await
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub vi: Cow<'static, str>,
    pub en: Cow<'static, str>,
}

impl Text {
    pub fn new(vi: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> Text {
        Text { vi: vi.into(), en: en.into() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }

    /// The text in the current request's language.
    pub fn localized(&self) -> String {
        self.get(Lang::current()).to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn negotiate(value: &str) -> Lang {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_LANGUAGE, value.parse().unwrap());
        Lang::negotiate(&headers)
    }

    #[test]
    fn picks_the_preferred_supported_language() {
        assert_eq!(negotiate("en"), Lang::En);
        assert_eq!(negotiate("en-US,en;q=0.9"), Lang::En);
        assert_eq!(negotiate("fr, en;q=0.5, vi;q=0.8"), Lang::Vi);
        assert_eq!(negotiate("vi-VN"), Lang::Vi);
        assert_eq!(negotiate("de"), Lang::Vi);
        assert_eq!(negotiate("en;q=0"), Lang::Vi);
        assert_eq!(Lang::negotiate(&HeaderMap::new()), Lang::Vi);
    }
}
