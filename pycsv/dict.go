package pycsv

import (
	"errors"
	"io"
)

// Header is the first record of a file as Python's csv.DictReader uses it: field i of a later
// record is the value of column i.
type Header struct {
	names []string
	index map[string]int
}

// NewHeader returns the header for a first record (copied).
func NewHeader(record []string) *Header {
	h := &Header{names: append([]string(nil), record...), index: make(map[string]int, len(record))}
	for i, name := range h.names {
		// dict(zip(fieldnames, row)): a repeated column name takes the later value.
		h.index[name] = i
	}
	return h
}

// Names returns the column names in file order.
func (h *Header) Names() []string { return h.names }

// Has reports whether the header names column.
func (h *Header) Has(column string) bool {
	_, ok := h.index[column]
	return ok
}

// Get returns the value of column in record, and false when the header has no such column
// or the record is too short to reach it (Python's DictReader gives None). Fields past the
// header's length are ignored, as Python files them under the None key.
func (h *Header) Get(record []string, column string) (string, bool) {
	i, ok := h.index[column]
	if !ok || i >= len(record) {
		return "", false
	}
	return record[i], true
}

// DictReader reads a CSV file with a header row, as Python's csv.DictReader: the first record
// names the columns, and blank lines after it are skipped.
type DictReader struct {
	r      *Reader
	header *Header
	row    int
}

// NewDictReader returns a DictReader of comma-separated data.
func NewDictReader(rd io.Reader) *DictReader { return &DictReader{r: NewReader(rd)} }

// Header reads the header if it was not read yet; nil for an empty file (Python's
// fieldnames is None, and the reader yields no rows).
func (d *DictReader) Header() (*Header, error) {
	if d.header != nil || d.r.err != nil {
		if errors.Is(d.r.err, io.EOF) {
			return d.header, nil
		}
		return d.header, d.r.err
	}
	rec, err := d.r.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	d.header = NewHeader(rec)
	return d.header, nil
}

// Read returns the next data record, skipping blank lines, or io.EOF. The slice is reused by
// the next call.
func (d *DictReader) Read() ([]string, error) {
	h, err := d.Header()
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, io.EOF
	}
	for {
		rec, err := d.r.Read()
		if err != nil {
			return nil, err
		}
		if len(rec) > 0 {
			d.row++
			return rec, nil
		}
	}
}

// Row returns the number of the last data record read: 1 for the first after the header.
func (d *DictReader) Row() int { return d.row }

// Line returns the line the last record ended on.
func (d *DictReader) Line() int { return d.r.Line() }

// StartLine returns the line the last record began on.
func (d *DictReader) StartLine() int { return d.r.StartLine() }
