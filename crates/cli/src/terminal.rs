//! Text from transcript files reaching the terminal. File contents, column names and file
//! names are untrusted: an escape sequence in them could retitle or reprogram the terminal, so
//! control characters are shown as visible escapes instead.

use std::borrow::Cow;

/// `text` with every control character (other than a newline) written as `\u{..}`.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars().map(|c| if is_unsafe(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect(),
    )
}

fn is_unsafe(c: char) -> bool {
    c != '\n' && (c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
}

#[cfg(test)]
mod tests {
    use super::safe;

    #[test]
    fn escape_sequences_and_direction_overrides_become_visible() {
        assert_eq!(safe("run\u{1b}]0;pwned\u{7}"), "run\\u{1b}]0;pwned\\u{7}");
        assert_eq!(safe("a\u{202e}b"), "a\\u{202e}b");
    }

    #[test]
    fn ordinary_text_is_untouched() {
        assert!(matches!(safe("quick_buck: 12%\nnext"), std::borrow::Cow::Borrowed(_)));
    }
}
