package pyjson

import (
	"strconv"

	"github.com/mozilla-services/merino-go/jsonw"
)

// AppendPython appends value i as json.dumps(ensure_ascii=False, separators=(",", ":")) writes
// the Python object json.loads made of it: an object's repeated keys collapse to one, at the
// first key's place with the last value (a dict); integers are written exactly, floats as
// Python's repr. NaN and the infinities, which merino-py cannot write (allow_nan=False), are
// written as null.
func (d *Doc) AppendPython(dst []byte, i int) []byte {
	n := &d.nodes[i]
	switch n.Kind {
	case Null:
		return append(dst, "null"...)
	case Bool:
		return jsonw.AppendBool(dst, n.Bool)
	case Int:
		return append(dst, n.Text...)
	case Float:
		return jsonw.AppendFloat(dst, n.Num)
	case String:
		return jsonw.AppendString(dst, n.Text)
	case Array:
		dst = append(dst, '[')
		first := true
		for c := n.first; c >= 0; c = d.nodes[c].next {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = d.AppendPython(dst, int(c))
		}
		return append(dst, ']')
	}
	dst = append(dst, '{')
	first := true
	for c := n.first; c >= 0; c = d.nodes[c].next {
		key := d.nodes[c].Key
		if d.seenBefore(n.first, c, key) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = jsonw.AppendString(dst, key)
		dst = append(dst, ':')
		last, _ := d.Get(i, key)
		dst = d.AppendPython(dst, last)
	}
	return append(dst, '}')
}

// seenBefore reports whether key occurs among the members from first up to (not including) c.
func (d *Doc) seenBefore(first, c int32, key string) bool {
	for p := first; p != c; p = d.nodes[p].next {
		if d.nodes[p].Key == key {
			return true
		}
	}
	return false
}

// Python returns AppendPython's output as a string.
func (d *Doc) Python(i int) string { return string(d.AppendPython(nil, i)) }

// Int returns an Int node's value, saturated to the int64 range (a Python int has no range:
// slicing with a huge count is the same as with the largest int64).
func (n *Node) Int() int64 {
	v, err := strconv.ParseInt(n.Text, 10, 64)
	if err == nil {
		return v
	}
	if len(n.Text) > 0 && n.Text[0] == '-' {
		return -1 << 63
	}
	return 1<<63 - 1
}
