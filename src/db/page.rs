//! What a list query asks for: a page after a cursor, or at an offset. Parsed from the query
//! string by `http::pagination`; read by repos, which must not depend on HTTP.

/// A validated page request.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: i64,
    /// Items come after this id.
    pub after: Option<String>,
}

/// A page request for lists in a business order (e.g. an inbox, green channel first), where the
/// cursor is the position reached.
#[derive(Debug, Clone)]
pub struct OffsetRequest {
    pub limit: i64,
    pub offset: i64,
}
