// Package httpurl normalises http and https URLs the way merino-py's responses
// serialise them.
//
// merino-py declares its URL fields as pydantic v2 HttpUrl. pydantic-core
// parses them with the Rust url crate, which implements the WHATWG URL
// Standard (https://url.spec.whatwg.org), and serialises the parsed URL back
// to a string. Firefox compares those strings byte for byte, so merino-go
// must emit exactly what pydantic would: a trailing slash after a bare host,
// a lower-cased and punycoded host, no default port, dot segments resolved,
// and the WHATWG percent-encode sets applied to every component.
//
// Go's net/url follows RFC 3986 instead and differs on most of these points,
// hence this package: a small, commented WHATWG "basic URL parser" for the
// special schemes http and https only, with no base URL and no state
// override. It is meant to run once per URL when data is loaded, never on the
// request path, so it prefers clarity to speed; it is still linear in the
// length of its input.
//
// The package also provides Quote, the equivalent of Python's
// urllib.parse.quote, which merino-py uses to build some URLs before
// pydantic sees them.
package httpurl
