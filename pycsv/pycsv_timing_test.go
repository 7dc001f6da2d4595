package pycsv

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// BenchmarkTSV reads GeoNames-shaped rows (19 tab-separated columns).
func BenchmarkTSV(b *testing.B) {
	row := "5128581\tNew York City\tNew York City\tNYC,Nueva York,Nju Jork\t40.71427\t-74.00597\tP\tPPL\tUS\t\tNY\t\t\t\t8804190\t10\t57\tAmerica/New_York\t2022-05-05\n"
	data := []byte(strings.Repeat(row, 1000))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		r := NewTSVReader(bytes.NewReader(data))
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n += len(rec)
		}
	}
	if n == 0 {
		b.Fatal("nothing read")
	}
}
