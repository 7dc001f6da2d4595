// Package layout holds the tile layouts of New Tab's sections (merino-py's layouts.py): for each
// column count Firefox may render (4, 3, 2, 1), which tiles a section shows, their sizes, which
// carry an ad and which an excerpt. The layouts are fixed data, rendered to JSON once; a section
// only chooses one and whether its ad tiles stay.
package layout

import "github.com/mozilla-services/merino-go/jsonw"

// Size is a tile's size.
type Size uint8

// The sizes.
const (
	Small Size = iota
	Medium
	Large
)

func (s Size) String() string {
	switch s {
	case Medium:
		return "medium"
	case Large:
		return "large"
	}
	return "small"
}

// Tile is one tile of a responsive layout. Small tiles never have excerpts; small and large
// tiles never have ads (merino-py's Tile validators; TestInvariants checks them).
type Tile struct {
	Size     Size
	Position int
	Ad       bool
	Excerpt  bool
}

// Responsive is the layout for one column count.
type Responsive struct {
	Columns int
	Tiles   []Tile
}

// Layout is a named set of responsive layouts, one per column count from 4 down to 1.
type Layout struct {
	Name       string
	Responsive [4]Responsive
	// Tiles is the largest tile count of any column count (merino-py's max_tile_count): a
	// section needs Tiles+1 stories to be shown.
	Tiles int
	// json and noAds are the Layout object with the ad tiles as designed and with every hasAd
	// false.
	json, noAds []byte
}

// AppendJSON appends the Layout object; ads false writes every tile without its ad (a section
// at a rank without ads, or one whose corpus data disallows them).
func (l *Layout) AppendJSON(dst []byte, ads bool) []byte {
	if ads {
		return append(dst, l.json...)
	}
	return append(dst, l.noAds...)
}

// tiles reads the compact notation of merino-py's tables: size letter and position, then "a"
// for an ad and "x" for an excerpt ("M1ax" is a medium tile at position 1 with both).
func tiles(specs ...string) []Tile {
	out := make([]Tile, len(specs))
	for i, s := range specs {
		t := Tile{Position: int(s[1] - '0')}
		switch s[0] {
		case 'M':
			t.Size = Medium
		case 'L':
			t.Size = Large
		}
		for _, c := range s[2:] {
			switch c {
			case 'a':
				t.Ad = true
			case 'x':
				t.Excerpt = true
			}
		}
		out[i] = t
	}
	return out
}

func newLayout(name string, four, three, two, one []Tile) *Layout {
	l := &Layout{Name: name, Responsive: [4]Responsive{{4, four}, {3, three}, {2, two}, {1, one}}}
	for _, r := range l.Responsive {
		l.Tiles = max(l.Tiles, len(r.Tiles))
	}
	l.json = l.render(true)
	l.noAds = l.render(false)
	return l
}

func (l *Layout) render(ads bool) []byte {
	b := append([]byte(`{"name":`), jsonw.AppendString(nil, l.Name)...)
	b = append(b, `,"responsiveLayouts":[`...)
	for i, r := range l.Responsive {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"columnCount":`...)
		b = jsonw.AppendInt(b, int64(r.Columns))
		b = append(b, `,"tiles":[`...)
		for j, t := range r.Tiles {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"size":"`...)
			b = append(b, t.Size.String()...)
			b = append(b, `","position":`...)
			b = jsonw.AppendInt(b, int64(t.Position))
			b = append(b, `,"hasAd":`...)
			b = jsonw.AppendBool(b, t.Ad && ads)
			b = append(b, `,"hasExcerpt":`...)
			b = jsonw.AppendBool(b, t.Excerpt)
			b = append(b, '}')
		}
		b = append(b, "]}"...)
	}
	return append(b, "]}"...)
}

// The four layouts, transcribed from merino-py's layouts.py (tile order as listed there, which
// is the order Firefox receives).
var (
	// FourMedium is "4-medium-small-1-ad": the daily briefing, and Popular Today beside it.
	FourMedium = newLayout("4-medium-small-1-ad",
		tiles("M0x", "M1x", "M2x", "M3ax"),
		tiles("M0x", "M1ax", "S2", "S3"),
		tiles("M0x", "M1ax", "S2", "S3"),
		tiles("M0x", "M1ax", "S2", "S3"))
	// FourLarge is "4-large-small-medium-1-ad": Popular Today in the contextual-ads experiments.
	FourLarge = newLayout("4-large-small-medium-1-ad",
		tiles("L0x", "S2", "M1ax", "S3"),
		tiles("M0x", "S2", "M1ax", "S3"),
		tiles("L0x", "S2", "M1ax", "S3"),
		tiles("M0x", "M1ax", "S2", "S3"))
	// SixTiles is "6-small-medium-1-ad", every corpus section's layout until the final cycling.
	SixTiles = newLayout("6-small-medium-1-ad",
		tiles("S2", "M0x", "M1ax", "S3", "S4", "S5"),
		tiles("M0x", "M1x", "M2x", "M3ax", "M4x", "M5x"),
		tiles("M0x", "M1ax", "S2", "S3", "S4", "S5"),
		tiles("M0x", "M1ax", "S2", "S3", "S4", "S5"))
	// EightTwoAds is "8-double-row-2-ad", Popular Today's usual layout.
	EightTwoAds = newLayout("8-double-row-2-ad",
		tiles("M0", "M2", "M3", "M1a", "M4x", "M5ax", "M6x", "M7x"),
		tiles("M0x", "M2x", "M1a", "M3", "M5ax", "S4", "S6", "M7x"),
		tiles("M0", "M1a", "M2x", "M3x", "M4x", "M5ax", "M6x", "M7x"),
		tiles("M0", "M1a", "M2x", "M3x", "M4x", "M5ax", "M6x", "M7x"))
)

// Cycle is the order in which ranked corpus sections take their layouts (merino-py's
// LAYOUT_CYCLE), repeating.
var Cycle = [...]*Layout{SixTiles, FourLarge, FourMedium}
