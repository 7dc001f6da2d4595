package imagesize

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/bmp"

	"github.com/mozilla-services/merino-go/jobs/navsuggestions/webtest"
)

func encoded(t testing.TB, format string, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, nil)
	case "gif":
		err = gif.Encode(&b, img, nil)
	case "bmp":
		err = bmp.Encode(&b, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestOf(t *testing.T) {
	f := func(name string, data []byte, w, h int, format string) {
		t.Helper()
		gw, gh, gf, err := Of(data)
		if err != nil || gw != w || gh != h || gf != format {
			t.Errorf("%s: %dx%d %q %v, want %dx%d %q", name, gw, gh, gf, err, w, h, format)
		}
	}
	f("png", encoded(t, "png", 64, 32), 64, 32, "png")
	f("jpeg", encoded(t, "jpeg", 48, 50), 48, 50, "jpeg")
	f("gif", encoded(t, "gif", 16, 16), 16, 16, "gif")
	f("bmp", encoded(t, "bmp", 33, 7), 33, 7, "bmp")
	f("ico", webtest.ICO(16, 32, 256), 256, 256, "ico")
	f("ico, small", webtest.ICO(16), 16, 16, "ico")
	// A real favicon of the shared data, when present.
	// (../shared beside the repository, or the workplace's copy.)
	for _, dir := range []string{"../../../../shared/data", "/work/shared/data"} {
		data, err := os.ReadFile(filepath.Join(dir, "top-sites/tippy-top-sites-npm/images/amazon-com.png"))
		if err != nil {
			continue
		}
		f("tippy-top amazon", data, 160, 160, "png")
		break
	}
	// Only the header is needed: a PNG cut after it still has its size.
	f("truncated png", encoded(t, "png", 300, 200)[:40], 300, 200, "png")

	bad := func(name string, data []byte) {
		t.Helper()
		if _, _, _, err := Of(data); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	bad("svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>`))
	bad("html", []byte("<html>not found</html>"))
	bad("empty", nil)
	bad("png signature only", []byte("\x89PNG\r\n\x1a\n"))
	ico := webtest.ICO(32)
	bad("ico pointing outside", ico[:len(ico)-10])
	bad("ico without entries", []byte{0, 0, 1, 0, 0, 0})
}

func FuzzOf(f *testing.F) {
	f.Add(encoded(f, "png", 2, 2))
	f.Add(encoded(f, "gif", 2, 2))
	f.Add(encoded(f, "jpeg", 2, 2))
	f.Add(encoded(f, "bmp", 2, 2))
	f.Add(webtest.ICO(16, 48))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, h, _, err := Of(data)
		if err == nil && (w <= 0 || h <= 0) {
			t.Errorf("%dx%d without an error", w, h)
		}
	})
}
