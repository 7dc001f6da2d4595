package imagesize

import (
	"bytes"
	"image"
	"testing"

	"github.com/mozilla-services/merino-go/jobs/navsuggestions/webtest"
)

var sink int

// BenchmarkOf measures a favicon's size from its header; BenchmarkDecodeBaseline decodes the
// same 512×512 PNG whole, what measuring by decoding would cost.
func BenchmarkOf(b *testing.B) {
	data := webtest.PNG(512, 512)
	b.ReportAllocs()
	for b.Loop() {
		w, _, _, err := Of(data)
		if err != nil {
			b.Fatal(err)
		}
		sink += w
	}
}

func BenchmarkDecodeBaseline(b *testing.B) {
	data := webtest.PNG(512, 512)
	b.ReportAllocs()
	for b.Loop() {
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		sink += img.Bounds().Dx()
	}
}

func BenchmarkOfICO(b *testing.B) {
	data := webtest.ICO(16, 32, 48, 256)
	b.ReportAllocs()
	for b.Loop() {
		w, _, _, err := Of(data)
		if err != nil {
			b.Fatal(err)
		}
		sink += w
	}
}
