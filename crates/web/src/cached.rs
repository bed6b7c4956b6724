//! Bodies prepared once (rendered, hashed, gzipped) and served from memory
//! with `ETag`, `Cache-Control` and conditional requests.

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use flate2::{write::GzEncoder, Compression};
use std::io::Write;

/// FNV-1a, 64-bit: a stable content hash for ETags and asset names.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[derive(Debug, Clone)]
pub struct Cached {
    pub body: Bytes,
    pub gzip: Option<Bytes>,
    pub etag: HeaderValue,
    pub content_type: &'static str,
    pub cache_control: &'static str,
}

impl Cached {
    pub fn new(
        body: impl Into<Bytes>,
        content_type: &'static str,
        cache_control: &'static str,
    ) -> Cached {
        let body: Bytes = body.into();
        let etag = HeaderValue::from_str(&format!("\"{:016x}\"", fnv1a(&body)))
            .expect("hex is a valid header");
        // Only worth it for text bodies of some size.
        let gzip = (body.len() > 512 && !content_type.starts_with("image/png")).then(|| {
            let mut enc =
                GzEncoder::new(Vec::with_capacity(body.len() / 3), Compression::default());
            enc.write_all(&body).expect("writing to a Vec cannot fail");
            Bytes::from(enc.finish().expect("writing to a Vec cannot fail"))
        });
        Cached {
            body,
            gzip,
            etag,
            content_type,
            cache_control,
        }
    }

    /// The response for a request with `headers`: 304 when the client's copy is current.
    pub fn respond(&self, headers: &HeaderMap, status: StatusCode) -> Response {
        let mut res = if status == StatusCode::OK && etag_matches(headers, &self.etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            match (&self.gzip, accepts_gzip(headers)) {
                (Some(gz), true) => {
                    let mut r = (status, gz.clone()).into_response();
                    r.headers_mut()
                        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                    r
                }
                _ => (status, self.body.clone()).into_response(),
            }
        };
        let h = res.headers_mut();
        h.insert(header::ETAG, self.etag.clone());
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(self.cache_control),
        );
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        res
    }
}

fn etag_matches(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/").as_bytes() == etag.as_bytes()
        })
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|e| {
            let mut parts = e.split(';');
            let name = parts.next().unwrap_or("").trim();
            let q_zero = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            (name == "gzip" || name == "*") && !q_zero
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_negotiation() {
        let mut h = HeaderMap::new();
        assert!(!accepts_gzip(&h));
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("br, gzip;q=0.8"),
        );
        assert!(accepts_gzip(&h));
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip;q=0"),
        );
        assert!(!accepts_gzip(&h));
    }

    #[test]
    fn etag_list_and_weak() {
        let tag = HeaderValue::from_static("\"abc\"");
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"x\", W/\"abc\""),
        );
        assert!(etag_matches(&h, &tag));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"x\""));
        assert!(!etag_matches(&h, &tag));
    }
}
