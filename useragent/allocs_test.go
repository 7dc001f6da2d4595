//go:build !race

package useragent

import "testing"

func TestAllocsParseCached(t *testing.T) {
	p, err := NewParser(100)
	if err != nil {
		t.Fatal(err)
	}
	for _, bu := range benchUAs {
		ua := []byte(bu.ua)
		p.Parse(ua)
		n := testing.AllocsPerRun(100, func() {
			sinkInfo = p.Parse(ua)
		})
		if n != 0 {
			t.Errorf("cached Parse(%s) allocated %v times per run; want 0", bu.name, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { sinkInfo = p.Parse(nil) }); n != 0 {
		t.Errorf("Parse(nil) allocated %v times per run; want 0", n)
	}
}
