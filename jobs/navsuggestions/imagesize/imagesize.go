// Package imagesize tells an image's dimensions from its first bytes, as PIL's Image.open(...).size
// does for merino-py's favicon choice, without decoding its pixels: PNG, JPEG and GIF (the
// standard library's readers), WebP and BMP (golang.org/x/image), and ICO/CUR, whose
// directory gives the size of each image it holds (the largest is the icon's size, 0 meaning
// 256). A header that does not parse is an error, as PIL's is.
package imagesize

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // registers the format
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/webp"
)

// ErrUnknown is the error for bytes that are no image format known here (an SVG, HTML).
var ErrUnknown = errors.New("not a known image format")

// Of returns the width and height of the image in data, and its format ("png", "ico", ...).
// Only the header is read.
func Of(data []byte) (width, height int, format string, err error) {
	if isICO(data) {
		w, h, err := icoSize(data)
		return w, h, "ico", err
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if errors.Is(err, image.ErrFormat) {
		return 0, 0, "", ErrUnknown
	}
	if err != nil {
		return 0, 0, format, fmt.Errorf("cannot read the %s header: %w", format, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return 0, 0, format, fmt.Errorf("the %s header says %dx%d", format, cfg.Width, cfg.Height)
	}
	return cfg.Width, cfg.Height, format, nil
}

// isICO recognises the ICONDIR header: reserved 0, type 1 (icon) or 2 (cursor).
func isICO(data []byte) bool {
	return len(data) >= 4 && data[0] == 0 && data[1] == 0 && (data[2] == 1 || data[2] == 2) && data[3] == 0
}

// icoSize reads the ICONDIR entries (16 bytes each after the 6-byte header) and returns the
// largest image's size; each entry must point inside the file.
func icoSize(data []byte) (int, int, error) {
	if len(data) < 6 {
		return 0, 0, errors.New("the ico header is truncated")
	}
	n := int(binary.LittleEndian.Uint16(data[4:6]))
	if n == 0 {
		return 0, 0, errors.New("the ico directory is empty")
	}
	if len(data) < 6+16*n {
		return 0, 0, fmt.Errorf("the ico directory of %d entries is truncated", n)
	}
	bestW, bestH := 0, 0
	for i := range n {
		e := data[6+16*i : 6+16*i+16]
		w, h := int(e[0]), int(e[1])
		if w == 0 {
			w = 256
		}
		if h == 0 {
			h = 256
		}
		size := int64(binary.LittleEndian.Uint32(e[8:12]))
		off := int64(binary.LittleEndian.Uint32(e[12:16]))
		if size == 0 || off < int64(6+16*n) || off+size > int64(len(data)) {
			return 0, 0, fmt.Errorf("ico entry %d points outside the file", i)
		}
		if w*h > bestW*bestH {
			bestW, bestH = w, h
		}
	}
	return bestW, bestH, nil
}
