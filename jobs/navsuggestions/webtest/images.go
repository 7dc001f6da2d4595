package webtest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
)

// PNG returns a w×h PNG image.
func PNG(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%max(h, 1), color.NRGBA{uint8(x), 80, 160, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic("BUG: " + err.Error())
	}
	return b.Bytes()
}

// ICO returns an icon file holding a PNG image of each size (as today's .ico files do; the
// directory says 0 for 256).
func ICO(sizes ...int) []byte {
	var images [][]byte
	for _, s := range sizes {
		images = append(images, PNG(s, s))
	}
	var b bytes.Buffer
	_ = binary.Write(&b, binary.LittleEndian, [3]uint16{0, 1, uint16(len(sizes))})
	off := 6 + 16*len(sizes)
	for i, s := range sizes {
		dim := byte(s)
		if s >= 256 {
			dim = 0
		}
		b.Write([]byte{dim, dim, 0, 0, 1, 0, 32, 0})
		_ = binary.Write(&b, binary.LittleEndian, [2]uint32{uint32(len(images[i])), uint32(off)})
		off += len(images[i])
	}
	for _, img := range images {
		b.Write(img)
	}
	return b.Bytes()
}

// SVG is a small valid SVG icon.
var SVG = []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#e66000"/></svg>`)
