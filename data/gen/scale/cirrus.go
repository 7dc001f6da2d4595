package main

import (
	"strconv"
	"unicode/utf8"
)

// docFigures are the fields of a document besides its title.
type docFigures struct {
	PageID      int64
	OpeningText string
	Popularity  float64
	Links       int64
	TextBytes   int64
	Headings    int
	Redirects   int
}

// headings are section titles for the heading field, whose length only counts.
var headings = []string{"History", "Geography", "Career", "Description", "Biography", "Reception", "See also", "References", "External links", "Notes", "Legacy", "Background"}

// appendDoc appends the bulk action line and the document line of one article, with
// CirrusSearch's field names.
func appendDoc(b []byte, title string, d *docFigures) []byte {
	id := strconv.FormatInt(d.PageID, 10)
	b = append(b, `{"index":{"_id":"`...)
	b = append(b, id...)
	b = append(b, `"}}`+"\n"+`{"page_id":`...)
	b = append(b, id...)
	b = append(b, `,"namespace":0,"title":`...)
	b = appendJSONString(b, title)
	b = append(b, `,"opening_text":`...)
	b = appendJSONString(b, d.OpeningText)
	b = append(b, `,"text_bytes":`...)
	b = strconv.AppendInt(b, d.TextBytes, 10)
	b = append(b, `,"incoming_links":`...)
	b = strconv.AppendInt(b, d.Links, 10)
	b = append(b, `,"popularity_score":`...)
	b = strconv.AppendFloat(b, d.Popularity, 'g', 4, 64)
	b = append(b, `,"heading":[`...)
	for i := 0; i < d.Headings; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, headings[i%len(headings)])
	}
	b = append(b, `],"redirect":[`...)
	for i := 0; i < d.Redirects; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"namespace":0,"title":`...)
		b = appendJSONString(b, title+" "+strconv.Itoa(i+1))
		b = append(b, '}')
	}
	return append(b, "]}\n"...)
}

// appendJSONString appends s as a JSON string, UTF-8 as it is; bytes that are not UTF-8
// become U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, r)
			i += n
			continue
		}
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
		i++
	}
	return append(b, '"')
}
