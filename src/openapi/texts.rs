//! Text that must not be blank, said in the document: the JSON check of every body
//! (http::json_schema) refuses a string of only white space wherever its schema sets a
//! `minLength`, so such a string schema also gets the pattern [`NON_BLANK`].
use utoipa::openapi::schema::{ArrayItems, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;

/// At least one character that is not white space as Rust's `str::trim` has it (Unicode
/// White_Space), spelt out: `\s` differs between ECMA-262, Python and Rust.
pub const NON_BLANK: &str =
    "[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";

pub(super) struct NonBlankText;

impl utoipa::Modify for NonBlankText {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.schemas.values_mut().for_each(|s| walk(s, 0));
        }
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.post,
                &mut item.patch,
                &mut item.put,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                for content in op
                    .request_body
                    .iter_mut()
                    .flat_map(|b| b.content.values_mut())
                {
                    if let Some(schema) = content.schema.as_mut() {
                        walk(schema, 0);
                    }
                }
            }
        }
    }
}

fn walk(schema: &mut RefOr<Schema>, depth: usize) {
    let RefOr::T(s) = schema else { return };
    if depth > 12 {
        return;
    }
    match s {
        Schema::Object(o) => {
            let text = match &o.schema_type {
                SchemaType::Type(t) => *t == Type::String,
                SchemaType::Array(ts) => ts.contains(&Type::String),
                SchemaType::AnyValue => false,
            };
            if text && o.min_length.is_some_and(|n| n > 0) && o.pattern.is_none() {
                o.pattern = Some(NON_BLANK.into());
            }
            for p in o.properties.values_mut() {
                walk(p, depth + 1);
            }
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(item) = &mut a.items {
                walk(item, depth + 1);
            }
        }
        Schema::OneOf(one) => one.items.iter_mut().for_each(|i| walk(i, depth + 1)),
        Schema::AllOf(all) => all.items.iter_mut().for_each(|i| walk(i, depth + 1)),
        Schema::AnyOf(any) => any.items.iter_mut().for_each(|i| walk(i, depth + 1)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_pattern_excludes_exactly_what_trim_takes_away() {
        let non_blank = negated_class(super::NON_BLANK);
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(non_blank(c), !c.is_whitespace(), "{c:?}");
        }
    }

    /// The pattern is one negated class: whether a character lies outside it.
    fn negated_class(pattern: &str) -> impl Fn(char) -> bool {
        let inner = pattern
            .strip_prefix("[^")
            .and_then(|p| p.strip_suffix(']'))
            .expect("a negated class");
        let mut excluded: Vec<(char, char)> = vec![];
        let mut chars = inner.chars().peekable();
        let one = |chars: &mut std::iter::Peekable<std::str::Chars>| -> char {
            match chars.next().expect("a character") {
                '\\' => match chars.next().expect("an escape") {
                    't' => '\t',
                    'n' => '\n',
                    'r' => '\r',
                    'x' => hex(chars, 2),
                    'u' => hex(chars, 4),
                    other => panic!("escape {other}"),
                },
                c => c,
            }
        };
        while chars.peek().is_some() {
            let from = one(&mut chars);
            let to = if chars.peek() == Some(&'-') {
                chars.next();
                one(&mut chars)
            } else {
                from
            };
            excluded.push((from, to));
        }
        move |c: char| !excluded.iter().any(|(a, b)| (*a..=*b).contains(&c))
    }

    fn hex(chars: &mut std::iter::Peekable<std::str::Chars>, n: usize) -> char {
        let digits: String = (0..n).map(|_| chars.next().expect("a hex digit")).collect();
        char::from_u32(u32::from_str_radix(&digits, 16).expect("hex")).expect("a char")
    }
}
