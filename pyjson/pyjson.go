// Package pyjson reads request bodies as Starlette's request.json() does — Python's json.loads
// on the body bytes — so that a malformed body is refused with Python's own message and
// character position (FastAPI's json_invalid error), and writes what it read back the way
// json.dumps would (pydantic errors echo their input).
//
// A Doc is an arena of nodes, reused across requests: parsing a small body allocates nothing
// once the arena has grown. Strings point into the body or into the Doc's scratch space, so a
// Doc's values are valid until its next Parse or Reset, and only while the body is unchanged.
//
// Two limits guard against hostile input: nesting deeper than MaxDepth and integer literals
// longer than Python's 4300 digits fail with ErrUnparsable, the error Python raises outside
// JSONDecodeError there (FastAPI then answers "There was an error parsing the body").
package pyjson

import (
	"errors"
	"math"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/mozilla-services/merino-go/pystr"
)

// MaxDepth is the deepest nesting of arrays and objects a document may have. Python's
// recursion limit stops json.loads near 1000 levels.
const MaxDepth = 1000

// ErrUnparsable is a body Python's json.loads fails on without a JSONDecodeError: invalid
// UTF-8, nesting past the recursion limit, an integer past the digit limit.
var ErrUnparsable = errors.New("there was an error parsing the body")

// SyntaxError is Python's JSONDecodeError: its msg and pos (in characters, not bytes).
type SyntaxError struct {
	Msg string
	Pos int
}

func (e *SyntaxError) Error() string { return e.Msg + " (char " + strconv.Itoa(e.Pos) + ")" }

// Kind is a JSON value's type as Python sees it.
type Kind uint8

// The kinds of values.
const (
	Null Kind = iota
	Bool
	Int
	Float
	String
	Array
	Object
)

// Node is one value. Children of arrays and objects are linked through next.
type Node struct {
	Kind Kind
	Bool bool
	// Text is a String's value, or an Int's or Float's literal.
	Text string
	// Num is a Float's value (±Inf for literals beyond float64, as Python's float()).
	Num float64
	// Key is the member name of a value inside an object.
	Key         string
	first, next int32 // child and sibling indexes; -1 for none
	last        int32 // last child, while building
	n           int32 // number of children
}

// Doc holds one parsed document.
type Doc struct {
	nodes   []Node
	scratch []byte // unescaped strings; sized to the input so it never moves
	data    []byte
	pos     int
	depth   int
	syntax  SyntaxError
}

// Reset forgets the document (keeping the memory) and drops large buffers.
func (d *Doc) Reset() {
	d.nodes = d.nodes[:0]
	d.scratch = d.scratch[:0]
	d.data = nil
	if cap(d.nodes) > 1<<14 {
		d.nodes = nil
	}
	if cap(d.scratch) > 1<<20 {
		d.scratch = nil
	}
}

// Parse reads data (UTF-8, a leading byte order mark skipped as the utf-8-sig codec does) and
// returns the index of the root value, a *SyntaxError, or ErrUnparsable. data must stay
// unchanged while the Doc's values are used.
func (d *Doc) Parse(data []byte) (int, error) {
	d.Reset()
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		data = data[3:]
	}
	if !utf8.Valid(data) {
		return -1, ErrUnparsable
	}
	d.data = data
	if cap(d.scratch) < len(data) {
		d.scratch = make([]byte, 0, len(data))
	}
	d.pos = skipSpace(data, 0)
	root, err := d.value()
	if err != nil {
		return -1, err
	}
	if end := skipSpace(data, d.pos); end != len(data) {
		return -1, d.fail("Extra data", end)
	}
	return root, nil
}

// fail records a JSONDecodeError at byte offset off, converted to a character position.
func (d *Doc) fail(msg string, off int) error {
	d.syntax = SyntaxError{Msg: msg, Pos: utf8.RuneCount(d.data[:off])}
	return &d.syntax
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func (d *Doc) add(n Node) int32 {
	n.first, n.next, n.last = -1, -1, -1
	d.nodes = append(d.nodes, n)
	return int32(len(d.nodes) - 1)
}

// value scans one value at d.pos (scan_once).
func (d *Doc) value() (int, error) {
	b, i := d.data, d.pos
	if i >= len(b) {
		return -1, d.fail("Expecting value", i)
	}
	switch c := b[i]; c {
	case '"':
		s, err := d.str(i)
		if err != nil {
			return -1, err
		}
		return int(d.add(Node{Kind: String, Text: s})), nil
	case '{':
		return d.object()
	case '[':
		return d.array()
	case 'n':
		if hasPrefix(b[i:], "null") {
			d.pos = i + 4
			return int(d.add(Node{Kind: Null})), nil
		}
	case 't':
		if hasPrefix(b[i:], "true") {
			d.pos = i + 4
			return int(d.add(Node{Kind: Bool, Bool: true})), nil
		}
	case 'f':
		if hasPrefix(b[i:], "false") {
			d.pos = i + 5
			return int(d.add(Node{Kind: Bool})), nil
		}
	case 'N':
		if hasPrefix(b[i:], "NaN") {
			d.pos = i + 3
			return int(d.add(Node{Kind: Float, Num: math.NaN(), Text: "NaN"})), nil
		}
	case 'I':
		if hasPrefix(b[i:], "Infinity") {
			d.pos = i + 8
			return int(d.add(Node{Kind: Float, Num: math.Inf(1), Text: "Infinity"})), nil
		}
	case '-':
		if hasPrefix(b[i+1:], "Infinity") {
			d.pos = i + 9
			return int(d.add(Node{Kind: Float, Num: math.Inf(-1), Text: "-Infinity"})), nil
		}
	}
	return d.number(i)
}

func hasPrefix(b []byte, s string) bool { return len(b) >= len(s) && string(b[:len(s)]) == s }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number matches -?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)? at i, as the C scanner does: a
// fraction or exponent without digits is not part of the number.
func (d *Doc) number(start int) (int, error) {
	b, i := d.data, start
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	case i < len(b) && b[i] == '0':
		i++
	default:
		return -1, d.fail("Expecting value", start)
	}
	float := false
	if i+1 < len(b) && b[i] == '.' && isDigit(b[i+1]) {
		float = true
		i += 2
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		j := i + 1
		if j < len(b) && (b[j] == '-' || b[j] == '+') {
			j++
		}
		k := j
		for k < len(b) && isDigit(b[k]) {
			k++
		}
		if k > j {
			float, i = true, k
		}
	}
	d.pos = i
	lit := d.view(b[start:i])
	if float {
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return -1, d.fail("Expecting value", start)
		}
		return int(d.add(Node{Kind: Float, Num: f, Text: lit})), nil
	}
	digits := i - start
	if b[start] == '-' {
		digits--
	}
	if digits > pystr.MaxIntDigits {
		return -1, ErrUnparsable
	}
	f, _ := strconv.ParseFloat(lit, 64)
	if lit == "-0" {
		lit = "0"
	}
	return int(d.add(Node{Kind: Int, Num: f, Text: lit})), nil
}

// view returns b as a string without copying; b is part of the body or of d.scratch, neither
// of which changes until the next Parse.
func (d *Doc) view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// str scans the string whose opening quote is at q (scanstring, strict).
func (d *Doc) str(q int) (string, error) {
	b := d.data
	i := q + 1
	// The common case, no escapes: the string is a view of the body.
	for j := i; j < len(b); j++ {
		c := b[j]
		if c == '"' {
			d.pos = j + 1
			return d.view(b[i:j]), nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", d.fail("Invalid control character at", j)
		}
	}
	start := len(d.scratch)
	out := d.scratch
	for {
		if i >= len(b) {
			return "", d.fail("Unterminated string starting at", q)
		}
		c := b[i]
		switch {
		case c == '"':
			d.scratch = out
			d.pos = i + 1
			return d.view(out[start:]), nil
		case c < 0x20:
			return "", d.fail("Invalid control character at", i)
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		i++ // the backslash
		if i >= len(b) {
			return "", d.fail("Unterminated string starting at", q)
		}
		e := b[i]
		if e != 'u' {
			var r byte
			switch e {
			case '"', '\\', '/':
				r = e
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			default:
				return "", d.fail("Invalid \\escape", i-1)
			}
			out = append(out, r)
			i++
			continue
		}
		// \uXXXX: the four digits must be there and the string must go on after them.
		if i+5 > len(b)-1 {
			return "", d.fail("Invalid \\uXXXX escape", i)
		}
		r, ok := Hex4(b[i+1 : i+5])
		if !ok {
			return "", d.fail("Invalid \\uXXXX escape", i)
		}
		i += 5
		if 0xD800 <= r && r <= 0xDBFF && i+6 < len(b) && b[i] == '\\' && b[i+1] == 'u' {
			r2, ok := Hex4(b[i+2 : i+6])
			if !ok {
				return "", d.fail("Invalid \\uXXXX escape", i+1)
			}
			if 0xDC00 <= r2 && r2 <= 0xDFFF {
				r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
				i += 6
			}
		}
		// A lone surrogate has no UTF-8 form: it becomes U+FFFD (Python would keep it and then
		// fail to encode the response).
		out = utf8.AppendRune(out, r)
	}
}

// Hex4 reads the four hex digits of a \u escape at the start of b (ok is false when b is
// shorter or holds another character).
func Hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	b = b[:4]
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case '0' <= c && c <= '9':
			r |= rune(c - '0')
		case 'a' <= c && c <= 'f':
			r |= rune(c-'a') + 10
		case 'A' <= c && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	return r, true
}

func (d *Doc) enter() error {
	d.depth++
	if d.depth > MaxDepth {
		return ErrUnparsable
	}
	return nil
}

func (d *Doc) appendChild(parent, child int32) {
	p := &d.nodes[parent]
	if p.last < 0 {
		p.first = child
	} else {
		d.nodes[p.last].next = child
	}
	p.last = child
	p.n++
}

// object scans {...} with d.pos at the opening brace.
func (d *Doc) object() (int, error) {
	if err := d.enter(); err != nil {
		return -1, err
	}
	defer func() { d.depth-- }()
	obj := d.add(Node{Kind: Object})
	b := d.data
	i := skipSpace(b, d.pos+1)
	if i < len(b) && b[i] == '}' {
		d.pos = i + 1
		return int(obj), nil
	}
	for i < len(b) {
		if b[i] != '"' {
			return -1, d.fail("Expecting property name enclosed in double quotes", i)
		}
		key, err := d.str(i)
		if err != nil {
			return -1, err
		}
		i = skipSpace(b, d.pos)
		if i >= len(b) || b[i] != ':' {
			return -1, d.fail("Expecting ':' delimiter", i)
		}
		d.pos = skipSpace(b, i+1)
		v, err := d.value()
		if err != nil {
			return -1, err
		}
		d.nodes[v].Key = key
		d.appendChild(obj, int32(v))
		i = skipSpace(b, d.pos)
		if i < len(b) && b[i] == '}' {
			d.pos = i + 1
			return int(obj), nil
		}
		if i >= len(b) || b[i] != ',' {
			return -1, d.fail("Expecting ',' delimiter", i)
		}
		comma := i
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == '}' {
			return -1, d.fail("Illegal trailing comma before end of object", comma)
		}
	}
	return -1, d.fail("Expecting property name enclosed in double quotes", i)
}

// array scans [...] with d.pos at the opening bracket.
func (d *Doc) array() (int, error) {
	if err := d.enter(); err != nil {
		return -1, err
	}
	defer func() { d.depth-- }()
	arr := d.add(Node{Kind: Array})
	b := d.data
	i := skipSpace(b, d.pos+1)
	if i < len(b) && b[i] == ']' {
		d.pos = i + 1
		return int(arr), nil
	}
	for {
		d.pos = i
		v, err := d.value()
		if err != nil {
			return -1, err
		}
		d.appendChild(arr, int32(v))
		i = skipSpace(b, d.pos)
		if i < len(b) && b[i] == ']' {
			d.pos = i + 1
			return int(arr), nil
		}
		if i >= len(b) || b[i] != ',' {
			return -1, d.fail("Expecting ',' delimiter", i)
		}
		comma := i
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == ']' {
			return -1, d.fail("Illegal trailing comma before end of array", comma)
		}
	}
}

// Node returns the node at index i (valid until the next Parse).
func (d *Doc) Node(i int) *Node { return &d.nodes[i] }

// Len is the number of elements or members of an array or object.
func (d *Doc) Len(i int) int { return int(d.nodes[i].n) }

// Children calls f with the index of each element or member of i, in document order, until f
// returns false.
func (d *Doc) Children(i int, f func(child int) bool) {
	for c := d.nodes[i].first; c >= 0; c = d.nodes[c].next {
		if !f(int(c)) {
			return
		}
	}
}

// Get returns the member key of object i as a Python dict would: the last occurrence.
func (d *Doc) Get(i int, key string) (int, bool) {
	found := -1
	for c := d.nodes[i].first; c >= 0; c = d.nodes[c].next {
		if d.nodes[c].Key == key {
			found = int(c)
		}
	}
	return found, found >= 0
}
