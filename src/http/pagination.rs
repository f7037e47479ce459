//! Cursor pagination: `?limit=&cursor=`, answered as `{"items": [...], "next_cursor": ...}`.
//! Ids are UUIDv7 strings, ordered by creation, so the cursor is the last id seen (encoded).
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct PageParams {
    /// Items per page: 1 to 500 (default 50); outside that, 422 `validation_failed`.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page, as it was given (an opaque URL-safe token); one this
    /// API did not issue answers 400 `invalid_cursor`.
    #[param(pattern = "^[A-Za-z0-9_-]+$", min_length = 1)]
    pub cursor: Option<String>,
}

pub use crate::db::page::{OffsetRequest, PageRequest};

impl PageParams {
    pub fn parse(&self) -> Result<PageRequest, AppError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let after = match &self.cursor {
            None => None,
            Some(c) => Some(decode_cursor(c).ok_or_else(|| {
                AppError::bad_request("invalid_cursor", "The cursor is not one this API issued.")
            })?),
        };
        Ok(PageRequest { limit, after })
    }
}

impl PageParams {
    pub fn parse_offset(&self) -> Result<OffsetRequest, AppError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let offset = match &self.cursor {
            None => 0,
            Some(c) => base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(c)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|t| t.strip_prefix("at:").and_then(|n| n.parse::<i64>().ok()))
                .filter(|n| (0..=1_000_000).contains(n))
                .ok_or_else(|| {
                    AppError::bad_request(
                        "invalid_cursor",
                        "The cursor is not one this API issued.",
                    )
                })?,
        };
        Ok(OffsetRequest { limit, offset })
    }
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched from `offset` in the list's order.
    pub fn from_offset(mut rows: Vec<T>, req: &OffsetRequest) -> Page<T> {
        let more = rows.len() as i64 > req.limit;
        rows.truncate(req.limit as usize);
        let next_cursor = more.then(|| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(format!("at:{}", req.offset + req.limit))
        });
        Page {
            items: rows,
            next_cursor,
        }
    }
}

fn decode_cursor(cursor: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let id = text.strip_prefix("id:")?;
    uuid::Uuid::parse_str(id).ok()?;
    Some(id.to_string())
}

pub fn encode_cursor(id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("id:{id}"))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in id order; the extra row says there is more.
    pub fn from_rows(mut rows: Vec<T>, req: &PageRequest, id_of: impl Fn(&T) -> &str) -> Page<T> {
        let more = rows.len() as i64 > req.limit;
        rows.truncate(req.limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| encode_cursor(id_of(r)))
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}
