// Package jsonw writes JSON by hand, appending to caller-owned byte slices, so
// that the request path renders responses without allocating.
//
// The output is byte-for-byte what merino-py produces: every merino-py
// response body comes from
//
//	json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"))
//
// so strings keep non-ASCII characters raw (only '"', '\\' and control
// characters are escaped, control characters as lower-case \u00xx), floats are
// written as Python's float.__repr__ ("1.0", "0.25", "1e-05", "1e+16"), and
// there is no whitespace between tokens. Clients and golden tests compare the
// two implementations' bodies directly, so any divergence here is a bug.
//
// A second mode serves merino-py's offline jobs: Style writes whole documents (Objects that keep
// their key order, lists, scalars) either in that compact form or as Python's default
// json.dumps(v) writes them (Python: every non-ASCII character escaped, ", " and ": "
// separators) or json.dumps(v, indent=4) (PythonIndent4). Remote Settings attachments are
// compared by the sha256 of those bytes, so they too must match Python's exactly.
//
// Two inputs Python cannot produce are handled explicitly: invalid UTF-8 in a
// Go string is written as U+FFFD (see AppendString) and a non-finite float is
// written as null (see AppendFloat).
//
// The Append functions follow the strconv.AppendX convention: they append to
// dst, grow it only when its capacity is exhausted, and return the extended
// slice. Buffer, GetBuffer and PutBuffer pool the slices that responses are
// rendered into.
package jsonw
