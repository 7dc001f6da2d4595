package adm

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestSplitArray(t *testing.T) {
	f := func(in string, want ...string) {
		t.Helper()
		got, err := splitArray([]byte(in))
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d elements %q, want %q", in, len(got), got, want)
		}
		for i := range want {
			if string(got[i]) != want[i] {
				t.Errorf("%q: element %d = %q, want %q", in, i, got[i], want[i])
			}
		}
	}
	f(`[]`)
	f(" [ ] \n")
	f(`[1]`, `1`)
	f(`[{"a":"]}\"{"},[1,[2]], "x" ,null,-1.5e3]`, `{"a":"]}\"{"}`, `[1,[2]]`, `"x"`, `null`, `-1.5e3`)
	bad := func(in string) {
		t.Helper()
		if got, err := splitArray([]byte(in)); err == nil {
			t.Errorf("%q: accepted as %q", in, got)
		}
	}
	for _, in := range []string{``, `{}`, `[`, `[1`, `[1,`, `[1 2]`, `[{"a":1]`, `["abc]`, `[] x`, `[,1]`, `[1]]`} {
		bad(in)
	}
}

// Whatever encoding/json reads as an array, splitArray splits into the same elements.
func FuzzSplitArray(f *testing.F) {
	for _, s := range []string{`[]`, `[1,"a",{"b":[2]}]`, `[{"x":"\"]"}]`, ` [ null , true ] `, `[1 2]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := splitArray(data)
		var want []json.RawMessage
		if json.Unmarshal(data, &want) != nil || want == nil {
			return // invalid JSON may or may not split; elements are validated when decoded
		}
		if err != nil {
			t.Fatalf("%q: encoding/json reads an array, splitArray says %v", data, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d elements, encoding/json %d", data, len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("%q: element %d = %q, encoding/json %q", data, i, got[i], want[i])
			}
		}
	})
}

func TestObjectField(t *testing.T) {
	f := func(in, want string, wantFound bool) {
		t.Helper()
		got, found, err := objectField([]byte(in), "suggestions")
		if err != nil || found != wantFound || string(got) != want {
			t.Errorf("%q: %q %v %v, want %q %v", in, got, found, err, want, wantFound)
		}
	}
	f(`{"suggestions":[1,2]}`, `[1,2]`, true)
	f(` { "other" : {"suggestions":0}, "suggestions" : [] } `, `[]`, true)
	f(`{"suggestions":[1],"suggestions":[2]}`, `[2]`, true) // the last one, as decoders keep
	f(`{"\u0073uggestions":[3]}`, `[3]`, true)
	f(`{}`, ``, false)
	f(`{"x":1}`, ``, false)
	for _, in := range []string{``, `[]`, `{"suggestions":[1]`, `{"x":tru,"suggestions":[]}`, `{"suggestions":[]} x`, `{"a" 1}`, `{1:2}`} {
		if _, _, err := objectField([]byte(in), "suggestions"); err == nil {
			t.Errorf("%q: accepted", in)
		}
	}
}
