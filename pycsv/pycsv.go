// Package pycsv reads CSV and TSV files exactly as merino-py's jobs read them: Python's
// csv.reader with the excel (comma) or excel-tab dialect and strict=False, over a file
// opened with newline="" and encoding="utf-8-sig".
//
// Go's encoding/csv differs from Python on inputs that real spreadsheets and GeoNames dumps
// contain: a quote inside an unquoted field (`12" pizza`, GeoNames' `Yur"yivka`) is literal
// in Python and an error in Go; text after a closing quote (`"ab"cd`) joins the field in
// Python; a quoted field keeps its \r\n in Python; a lone \r ends a line. This package
// transcribes CPython's reader state machine (Modules/_csv.c, parse_process_char) so that a
// job sees the same fields as merino-py, with deliberate differences that are each an error
// where Python would carry on or run out of memory: bytes that are not UTF-8 (Python raises
// UnicodeDecodeError, with no line number), a quoted field still open at the end of the input
// (Python returns the rest of the file as one field), a record of more than MaxFields fields
// or MaxRecordBytes bytes. A field longer than Python's default field_size_limit (131,072
// characters) is an error in both.
//
// The reader streams: memory is bounded by one record whatever the size of the input.
package pycsv

import (
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// FieldLimit is Python's default csv.field_size_limit(), in characters.
const FieldLimit = 128 * 1024

// MaxFields and MaxRecordBytes bound one record.
const (
	MaxFields      = 4096
	MaxRecordBytes = 4 << 20
)

// The ways a record can be malformed, wrapped in a *ParseError.
var (
	ErrFieldTooLarge  = fmt.Errorf("field larger than field limit (%d)", FieldLimit)
	ErrTooManyFields  = fmt.Errorf("more than %d fields", MaxFields)
	ErrRecordTooLarge = fmt.Errorf("record larger than %d bytes", MaxRecordBytes)
	ErrUnterminated   = errors.New("quoted field not terminated at the end of the file")
	ErrNotUTF8        = errors.New("not valid UTF-8")
)

// ParseError is a malformed record: Line is the line (1-based) where the problem was found,
// StartLine the line where the record began.
type ParseError struct {
	StartLine, Line int
	Err             error
}

func (e *ParseError) Error() string {
	if e.StartLine != e.Line {
		return fmt.Sprintf("line %d (record starting on line %d): %v", e.Line, e.StartLine, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

type state uint8

// CPython's parser states (the escape states are absent: neither dialect has an escapechar).
const (
	startRecord state = iota
	startField
	inField
	inQuotedField
	quoteInQuotedField
	eatCRNL
)

// Reader reads records. It is not safe for concurrent use.
type Reader struct {
	rd       io.Reader
	delim    byte
	buf      []byte
	pos, end int
	eof      bool
	started  bool // the BOM check is done

	state     state
	field     []byte // the record's fields, concatenated
	ends      []int  // the end offset of each field in field
	fieldLen  int    // characters in the current field
	record    []string
	line      int  // lines ended so far (Python's line_num)
	lineChars bool // the current line has bytes
	startLine int
	crPending bool // the last byte was a \r: its line ends after a following \n, if any
	err       error
}

// NewReader returns a reader of comma-separated records (Python's excel dialect).
func NewReader(r io.Reader) *Reader { return newReader(r, ',') }

// NewTSVReader returns a reader of tab-separated records (Python's excel-tab dialect).
func NewTSVReader(r io.Reader) *Reader { return newReader(r, '\t') }

func newReader(r io.Reader, delim byte) *Reader {
	return &Reader{rd: r, delim: delim, buf: make([]byte, 64<<10)}
}

// Line returns the number of the last line read: after Read, the line the record ended on
// (Python's reader.line_num).
func (r *Reader) Line() int { return r.line }

// StartLine returns the line the last record began on.
func (r *Reader) StartLine() int { return r.startLine }

// Read returns the next record, or io.EOF after the last. A blank line is an empty record,
// as in Python. The returned slice is reused by the next call; its strings are not.
func (r *Reader) Read() ([]string, error) {
	if r.err != nil {
		return nil, r.err
	}
	r.field = r.field[:0]
	r.ends = r.ends[:0]
	r.fieldLen = 0
	r.startLine = r.line + 1
	for {
		if r.pos == r.end {
			if r.eof {
				return r.atEOF()
			}
			if err := r.fill(); err != nil {
				r.err = err
				return nil, err
			}
			continue
		}
		c := r.buf[r.pos]
		if r.crPending {
			// A \r ended a line unless a \n follows, which then belongs to the same end.
			r.crPending = false
			if c == '\n' {
				r.pos++
				if err := r.char(c); err != nil {
					return nil, r.fail(err, r.line+1)
				}
			}
			done, err := r.eol()
			if err != nil {
				return nil, r.fail(err, r.line+1)
			}
			if done {
				return r.finish(), nil
			}
			continue
		}
		if r.state == inField || r.state == inQuotedField {
			// Fast path: copy the run of ordinary bytes up to the next one that matters.
			if n := r.run(); n > 0 {
				r.lineChars = true
				if err := r.addRun(r.buf[r.pos : r.pos+n]); err != nil {
					return nil, r.fail(err, r.line+1)
				}
				r.pos += n
				continue
			}
		}
		r.pos++
		r.lineChars = true
		if err := r.char(c); err != nil {
			return nil, r.fail(err, r.line+1)
		}
		switch c {
		case '\r':
			r.crPending = true
		case '\n':
			done, err := r.eol()
			if err != nil {
				return nil, r.fail(err, r.line+1)
			}
			if done {
				return r.finish(), nil
			}
		}
	}
}

func (r *Reader) fill() error {
	if !r.started {
		r.started = true
		// encoding="utf-8-sig": a leading byte order mark is not data.
		n, err := io.ReadFull(r.rd, r.buf[:3])
		r.pos, r.end = 0, n
		if n == 3 && string(r.buf[:3]) == "\xef\xbb\xbf" {
			r.pos = 3
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			r.eof = true
			return nil
		}
		return err
	}
	n, err := r.rd.Read(r.buf)
	r.pos, r.end = 0, n
	if err == io.EOF {
		r.eof = true
		return nil
	}
	return err
}

// atEOF ends the last line (Python's file iterator yields it without a newline) and the
// last record.
func (r *Reader) atEOF() ([]string, error) {
	if r.crPending || r.lineChars {
		r.crPending = false
		done, err := r.eol()
		if err != nil {
			return nil, r.fail(err, r.line+1)
		}
		if done {
			return r.finish(), nil
		}
	}
	if r.state == inQuotedField {
		return nil, r.fail(ErrUnterminated, r.line)
	}
	r.err = io.EOF
	return nil, io.EOF
}

func (r *Reader) fail(err error, line int) error {
	r.err = &ParseError{StartLine: r.startLine, Line: line, Err: err}
	return r.err
}

// char is CPython's parse_process_char for a character.
func (r *Reader) char(c byte) error {
	switch r.state {
	case startRecord:
		if c == '\n' || c == '\r' {
			r.state = eatCRNL
			return nil
		}
		r.state = startField
		fallthrough
	case startField:
		switch c {
		case '\n', '\r':
			r.state = eatCRNL
			return r.save()
		case '"':
			r.state = inQuotedField
		case r.delim:
			return r.save()
		default:
			r.state = inField
			return r.add(c)
		}
	case inField:
		switch c {
		case '\n', '\r':
			r.state = eatCRNL
			return r.save()
		case r.delim:
			r.state = startField
			return r.save()
		default:
			return r.add(c)
		}
	case inQuotedField:
		if c == '"' {
			r.state = quoteInQuotedField
			return nil
		}
		return r.add(c)
	case quoteInQuotedField:
		switch c {
		case '"': // "" is a quote
			r.state = inQuotedField
			return r.add(c)
		case r.delim:
			r.state = startField
			return r.save()
		case '\n', '\r':
			r.state = eatCRNL
			return r.save()
		default: // strict=False: text after the closing quote joins the field
			r.state = inField
			return r.add(c)
		}
	case eatCRNL:
		if c != '\n' && c != '\r' {
			// Unreachable with the line splitting above; CPython's message if it were not.
			return errors.New("new-line character seen in unquoted field")
		}
	}
	return nil
}

// eol is parse_process_char for the end of a line; it reports whether a record ended.
func (r *Reader) eol() (bool, error) {
	if r.state == startField || r.state == inField || r.state == quoteInQuotedField {
		if err := r.save(); err != nil {
			return false, err
		}
	}
	r.line++
	r.lineChars = false
	if r.state == inQuotedField {
		return false, nil // the line break is part of the field
	}
	r.state = startRecord
	return true, nil
}

// run returns the length of the run of bytes at r.pos that the current state only appends:
// in an unquoted field all but the delimiter and line ends, in a quoted field all but '"'
// and line ends (which end a line, and so must be counted).
func (r *Reader) run() int {
	b := r.buf[r.pos:r.end]
	i := 0
	if r.state == inField {
		for i < len(b) && b[i] != r.delim && b[i] != '\n' && b[i] != '\r' {
			i++
		}
		return i
	}
	for i < len(b) && b[i] != '"' && b[i] != '\n' && b[i] != '\r' {
		i++
	}
	return i
}

// addRun is add for a run of bytes.
func (r *Reader) addRun(b []byte) error {
	// Characters are counted by their first bytes, so a run that ends inside one counts it
	// once.
	for _, c := range b {
		if c&0xc0 != 0x80 {
			r.fieldLen++
		}
	}
	if r.fieldLen > FieldLimit {
		return ErrFieldTooLarge
	}
	if len(r.field)+len(b) > MaxRecordBytes {
		return ErrRecordTooLarge
	}
	r.field = append(r.field, b...)
	return nil
}

func (r *Reader) add(c byte) error {
	if c&0xc0 != 0x80 {
		r.fieldLen++
		if r.fieldLen > FieldLimit {
			return ErrFieldTooLarge
		}
	}
	if len(r.field) >= MaxRecordBytes {
		return ErrRecordTooLarge
	}
	r.field = append(r.field, c)
	return nil
}

func (r *Reader) save() error {
	if len(r.ends) >= MaxFields {
		return ErrTooManyFields
	}
	start := 0
	if len(r.ends) > 0 {
		start = r.ends[len(r.ends)-1]
	}
	if !utf8.Valid(r.field[start:]) {
		return ErrNotUTF8
	}
	r.ends = append(r.ends, len(r.field))
	r.fieldLen = 0
	return nil
}

func (r *Reader) finish() []string {
	// One string holds the whole record; the fields are slices of it.
	all := string(r.field)
	r.record = r.record[:0]
	start := 0
	for _, end := range r.ends {
		r.record = append(r.record, all[start:end])
		start = end
	}
	return r.record
}
