package server

import (
	"strconv"

	"github.com/mozilla-services/merino-go/jsonw"
)

// fieldError is one pydantic v2 validation error, as FastAPI's RequestValidationError lists
// it (without the "url" key, which merino-py's handler does not include).
type fieldError struct {
	kind     string // pydantic error type: missing, string_too_long, ...
	loc      string // "query" or "header"
	field    string
	msg      string
	input    string
	hasInput bool   // false: "input":null (a missing field)
	ctxKey   string // "" = no ctx object
	ctxInt   int    // ctx value when numeric
	ctxStr   string // ctx value when a string
	ctxIsStr bool
}

func missing(field string) fieldError {
	return fieldError{kind: "missing", loc: "query", field: field, msg: "Field required"}
}

func tooLong(loc, field, input string, max int) fieldError {
	return fieldError{
		kind: "string_too_long", loc: loc, field: field,
		msg:   "String should have at most " + strconv.Itoa(max) + " character" + plural(max),
		input: input, hasInput: true, ctxKey: "max_length", ctxInt: max,
	}
}

func tooShort(field, input string, min int) fieldError {
	return fieldError{
		kind: "string_too_short", loc: "query", field: field,
		msg:   "String should have at least " + strconv.Itoa(min) + " character" + plural(min),
		input: input, hasInput: true, ctxKey: "min_length", ctxInt: min,
	}
}

// pydantic says "1 character", "2 characters".
func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

const sourceLiterals = "'urlbar', 'newtab' or 'unknown'"

func notSource(input string) fieldError {
	return fieldError{
		kind: "literal_error", loc: "query", field: "source",
		msg:   "Input should be " + sourceLiterals,
		input: input, hasInput: true, ctxKey: "expected", ctxStr: sourceLiterals, ctxIsStr: true,
	}
}

const requestTypePattern = "^(location|weather)$"

func notRequestType(input string) fieldError {
	return fieldError{
		kind: "string_pattern_mismatch", loc: "query", field: "request_type",
		msg:   "String should match pattern '" + requestTypePattern + "'",
		input: input, hasInput: true, ctxKey: "pattern", ctxStr: requestTypePattern, ctxIsStr: true,
	}
}

// appendValidationBody writes FastAPI's 400 body: {"detail":[error, ...]}.
func appendValidationBody(dst []byte, errs []fieldError) []byte {
	dst = append(dst, `{"detail":[`...)
	for i := range errs {
		if i > 0 {
			dst = append(dst, ',')
		}
		e := &errs[i]
		dst = append(dst, `{"type":`...)
		dst = jsonw.AppendString(dst, e.kind)
		dst = append(dst, `,"loc":[`...)
		dst = jsonw.AppendString(dst, e.loc)
		dst = append(dst, ',')
		dst = jsonw.AppendString(dst, e.field)
		dst = append(dst, `],"msg":`...)
		dst = jsonw.AppendString(dst, e.msg)
		dst = append(dst, `,"input":`...)
		if e.hasInput {
			dst = jsonw.AppendString(dst, e.input)
		} else {
			dst = append(dst, "null"...)
		}
		if e.ctxKey != "" {
			dst = append(dst, `,"ctx":{`...)
			dst = jsonw.AppendString(dst, e.ctxKey)
			dst = append(dst, ':')
			if e.ctxIsStr {
				dst = jsonw.AppendString(dst, e.ctxStr)
			} else {
				dst = strconv.AppendInt(dst, int64(e.ctxInt), 10)
			}
			dst = append(dst, '}')
		}
		dst = append(dst, '}')
	}
	return append(dst, "]}"...)
}

// appendDetail writes an HTTPException body: {"detail":"..."}.
func appendDetail(dst []byte, detail string) []byte {
	dst = append(dst, `{"detail":`...)
	dst = jsonw.AppendString(dst, detail)
	return append(dst, '}')
}
