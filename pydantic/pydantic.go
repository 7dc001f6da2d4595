// Package pydantic writes pydantic v2's validation errors as FastAPI's 400 body lists them,
// {"detail":[{"type","loc","msg","input"[,"ctx"]}, ...]}, and holds the lax coercions that
// produce them (a string read as an integer, a value read as a boolean), so that every
// endpoint answers a bad request with merino-py's exact bytes from one implementation.
//
// An Error is a plain value: building one and appending it to a pooled slice allocates
// nothing, so a 400 on the hot path stays allocation-free.
package pydantic

import (
	"strconv"

	"github.com/mozilla-services/merino-go/jsonw"
)

// MaxLoc is the deepest location an Error holds ("body", "sections", 0, "isFollowed").
const MaxLoc = 5

// Loc is one step of an error's location: a field name or a list index.
type Loc struct {
	Name  string
	Index int
	IsInt bool
}

// Kind says how a Value is written.
type Kind uint8

// The kinds of Value.
const (
	Null   Kind = iota // null
	String             // a JSON string of S
	Int                // the integer I
	Raw                // S is already JSON (an object, a number as Python writes it, ...)
)

// Value is an error's input or context value.
type Value struct {
	Kind Kind
	S    string
	I    int64
}

// Str, Num and JSON make Values.
func Str(s string) Value    { return Value{Kind: String, S: s} }
func Num(i int64) Value     { return Value{Kind: Int, I: i} }
func JSON(raw string) Value { return Value{Kind: Raw, S: raw} }

// Error is one pydantic validation error, without the "url" key merino-py's handler drops.
type Error struct {
	Type string
	loc  [MaxLoc]Loc
	nloc int
	// The message is msg, then msgNum when hasNum, then msgTail: kept apart so that building
	// an Error never concatenates (and so never allocates).
	msg, msgTail string
	msgNum       int64
	hasNum       bool
	quoteTail    bool // a ' follows the tail (a pattern error)
	// Input is the value that failed; the zero Value is null (a missing field).
	Input Value
	// CtxKey names the one entry of the ctx object; "" writes no ctx.
	CtxKey string
	Ctx    Value
}

// In returns e located at path, a list of field names ("query", "q").
func (e Error) In(path ...string) Error {
	e.nloc = 0
	for _, p := range path {
		e = e.Field(p)
	}
	return e
}

// Field appends a field name to e's location. Steps past MaxLoc are dropped (no model of
// merino-go's is that deep).
func (e Error) Field(name string) Error {
	if e.nloc < MaxLoc {
		e.loc[e.nloc] = Loc{Name: name}
		e.nloc++
	}
	return e
}

// Index appends a list index to e's location.
func (e Error) Index(i int) Error {
	if e.nloc < MaxLoc {
		e.loc[e.nloc] = Loc{Index: i, IsInt: true}
		e.nloc++
	}
	return e
}

// Msg returns e's message.
func (e *Error) Msg() string { return string(e.appendMsg(nil)) }

func (e *Error) appendMsg(dst []byte) []byte {
	dst = append(dst, e.msg...)
	if e.hasNum {
		dst = strconv.AppendInt(dst, e.msgNum, 10)
	}
	dst = append(dst, e.msgTail...)
	if e.quoteTail {
		dst = append(dst, '\'')
	}
	return dst
}

// Location returns e's location steps.
func (e *Error) Location() []Loc { return e.loc[:e.nloc] }

// Missing is "Field required"; the input is being the object the field is missing from
// (null for a query or header parameter, whose whole container FastAPI does not show).
func Missing(input Value) Error {
	return Error{Type: "missing", msg: "Field required", Input: input}
}

// TooLong is string_too_long.
func TooLong(input string, max int) Error {
	return Error{Type: "string_too_long", msg: "String should have at most ", msgNum: int64(max), hasNum: true, msgTail: characters(max),
		Input: Str(input), CtxKey: "max_length", Ctx: Num(int64(max))}
}

// TooShort is string_too_short.
func TooShort(input string, min int) Error {
	return Error{Type: "string_too_short", msg: "String should have at least ", msgNum: int64(min), hasNum: true, msgTail: characters(min),
		Input: Str(input), CtxKey: "min_length", Ctx: Num(int64(min))}
}

// pydantic says "1 character", "2 characters".
func characters(n int) string {
	if n == 1 {
		return " character"
	}
	return " characters"
}

// Literal is literal_error; expected is the choices as Expected writes them.
func Literal(input Value, expected string) Error {
	return Error{Type: "literal_error", msg: "Input should be ", msgTail: expected, Input: input,
		CtxKey: "expected", Ctx: Str(expected)}
}

// Enum is an enum member error; expected is the members as Expected writes them.
func Enum(input Value, expected string) Error {
	return Error{Type: "enum", msg: "Input should be ", msgTail: expected, Input: input,
		CtxKey: "expected", Ctx: Str(expected)}
}

// Pattern is string_pattern_mismatch.
func Pattern(input, pattern string) Error {
	return Error{Type: "string_pattern_mismatch", msg: "String should match pattern '", msgTail: pattern, quoteTail: true,
		Input: Str(input), CtxKey: "pattern", Ctx: Str(pattern)}
}

// Type errors whose message is fixed: "Input should be a valid <what>".
func typeError(kind, what string, input Value) Error {
	return Error{Type: kind, msg: "Input should be a valid ", msgTail: what, Input: input}
}

// StringType, IntType, BoolType, ListType and DictType are the "valid <type>" errors.
func StringType(input Value) Error { return typeError("string_type", "string", input) }
func IntType(input Value) Error    { return typeError("int_type", "integer", input) }
func BoolType(input Value) Error   { return typeError("bool_type", "boolean", input) }
func ListType(input Value) Error   { return typeError("list_type", "list", input) }
func DictType(input Value) Error   { return typeError("dict_type", "dictionary", input) }
func FloatType(input Value) Error  { return typeError("float_type", "number", input) }

// IntParsing is a string that does not read as an integer.
func IntParsing(input Value) Error {
	return Error{Type: "int_parsing", msg: "Input should be a valid integer, unable to parse string as an integer", Input: input}
}

// IntFromFloat is a number with a fractional part where an integer belongs.
func IntFromFloat(input Value) Error {
	return Error{Type: "int_from_float", msg: "Input should be a valid integer, got a number with a fractional part", Input: input}
}

// IntParsingSize is an integral number outside the 64-bit range.
func IntParsingSize(input Value) Error {
	return Error{Type: "int_parsing_size", msg: "Unable to parse input string as an integer, exceeded maximum size", Input: input}
}

// FiniteNumber is NaN or an infinity where a number belongs.
func FiniteNumber(input Value) Error {
	return Error{Type: "finite_number", msg: "Input should be a finite number", Input: input}
}

// BoolParsing is a value pydantic cannot read as a boolean.
func BoolParsing(input Value) Error {
	return Error{Type: "bool_parsing", msg: "Input should be a valid boolean, unable to interpret input", Input: input}
}

// ModelAttributes is a model given something other than an object (FastAPI validates bodies
// with from_attributes=True, hence this type rather than model_type).
func ModelAttributes(input Value) Error {
	return Error{Type: "model_attributes_type", msg: "Input should be a valid dictionary or object to extract fields from", Input: input}
}

// ValueError is a field validator's ValueError: "Value error, <msg>", ctx {"error":{}} (the
// exception object encodes as an empty object).
func ValueError(msg string, input Value) Error {
	return Error{Type: "value_error", msg: "Value error, ", msgTail: msg, Input: input, CtxKey: "error", Ctx: JSON("{}")}
}

// GreaterEqual and LessEqual are the ge/le constraint errors.
func GreaterEqual(input Value, ge int64) Error {
	return Error{Type: "greater_than_equal", msg: "Input should be greater than or equal to ", msgNum: ge, hasNum: true,
		Input: input, CtxKey: "ge", Ctx: Num(ge)}
}

func LessEqual(input Value, le int64) Error {
	return Error{Type: "less_than_equal", msg: "Input should be less than or equal to ", msgNum: le, hasNum: true,
		Input: input, CtxKey: "le", Ctx: Num(le)}
}

// Expected writes a list of choices as pydantic's messages do: 'a', 'b' or 'c'.
func Expected(choices ...string) string {
	var b []byte
	for i, c := range choices {
		switch {
		case i == 0:
		case i == len(choices)-1:
			b = append(b, " or "...)
		default:
			b = append(b, ", "...)
		}
		b = append(b, '\'')
		b = append(b, c...)
		b = append(b, '\'')
	}
	return string(b)
}

// AppendBody writes FastAPI's 400 body: {"detail":[error, ...]}.
func AppendBody(dst []byte, errs []Error) []byte {
	dst = append(dst, `{"detail":[`...)
	for i := range errs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendError(dst, &errs[i])
	}
	return append(dst, "]}"...)
}

// AppendError writes one error object.
func AppendError(dst []byte, e *Error) []byte {
	dst = append(dst, `{"type":`...)
	dst = jsonw.AppendString(dst, e.Type)
	dst = append(dst, `,"loc":[`...)
	for i, l := range e.loc[:e.nloc] {
		if i > 0 {
			dst = append(dst, ',')
		}
		if l.IsInt {
			dst = strconv.AppendInt(dst, int64(l.Index), 10)
		} else {
			dst = jsonw.AppendString(dst, l.Name)
		}
	}
	dst = append(dst, `],"msg":`...)
	// One JSON string from three parts: the head's closing quote and the tail's opening quote
	// are cut out.
	dst = jsonw.AppendString(dst, e.msg)
	dst = dst[:len(dst)-1]
	if e.hasNum {
		dst = strconv.AppendInt(dst, e.msgNum, 10)
	}
	n := len(dst)
	dst = jsonw.AppendString(dst, e.msgTail)
	dst = append(dst[:n], dst[n+1:]...)
	if e.quoteTail {
		dst = append(dst[:len(dst)-1], '\'', '"')
	}
	dst = append(dst, `,"input":`...)
	dst = appendValue(dst, e.Input)
	if e.CtxKey != "" {
		dst = append(dst, `,"ctx":{`...)
		dst = jsonw.AppendString(dst, e.CtxKey)
		dst = append(dst, ':')
		dst = appendValue(dst, e.Ctx)
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

func appendValue(dst []byte, v Value) []byte {
	switch v.Kind {
	case String:
		return jsonw.AppendString(dst, v.S)
	case Int:
		return strconv.AppendInt(dst, v.I, 10)
	case Raw:
		return append(dst, v.S...)
	default:
		return append(dst, "null"...)
	}
}

// AppendDetail writes an HTTPException body: {"detail":"..."}.
func AppendDetail(dst []byte, detail string) []byte {
	dst = append(dst, `{"detail":`...)
	dst = jsonw.AppendString(dst, detail)
	return append(dst, '}')
}

// JSONInvalid is FastAPI's error for a body json.loads refused: loc ["body", pos], input {},
// ctx {"error": msg}.
func JSONInvalid(msg string, pos int) Error {
	return Error{Type: "json_invalid", msg: "JSON decode error", Input: JSON("{}"), CtxKey: "error", Ctx: Str(msg)}.In("body").Index(pos)
}
