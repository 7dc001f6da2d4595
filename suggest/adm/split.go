package adm

import (
	"encoding/json"
	"errors"
	"fmt"
)

// splitArray returns the elements of a JSON array as sub-slices of data, without decoding
// them. It checks only the structure it needs (brackets, braces and strings balance; commas
// between elements); each element is then decoded — and fully validated — on its own.
//
// Why not decode the whole array in one call: sonic's decoder runs in native code that the Go
// scheduler cannot preempt, and a 12 MB MARS body is one 70 ms call — a 70 ms stall for the
// requests that share its processor while an index is rebuilt. Element by element, with a
// yield between batches, a rebuild no longer shows in the serving latency.
func splitArray(data []byte) ([][]byte, error) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '[' {
		return nil, errors.New("not a JSON array")
	}
	i = skipSpace(data, i+1)
	var out [][]byte
	if i < len(data) && data[i] == ']' {
		return out, trailing(data, i+1)
	}
	for {
		end, err := valueEnd(data, i)
		if err != nil {
			return nil, err
		}
		out = append(out, data[i:end])
		i = skipSpace(data, end)
		if i >= len(data) {
			return nil, errors.New("unterminated JSON array")
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			return out, trailing(data, i+1)
		default:
			return nil, fmt.Errorf("unexpected %q after an array element at byte %d", data[i], i)
		}
	}
}

func trailing(data []byte, i int) error {
	if j := skipSpace(data, i); j < len(data) {
		return fmt.Errorf("trailing data after the JSON array at byte %d", j)
	}
	return nil
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the index just past the JSON value starting at data[i]: an object, an
// array or a string is matched to its end; a scalar runs to the next delimiter.
func valueEnd(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, errors.New("unexpected end of JSON input")
	}
	switch data[i] {
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, err := stringEnd(data, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errors.New("unterminated JSON value")
	case '"':
		return stringEnd(data, i)
	default:
		j := i
		for j < len(data) && data[j] != ',' && data[j] != ']' && data[j] != '}' &&
			data[j] != ' ' && data[j] != '\t' && data[j] != '\n' && data[j] != '\r' {
			j++
		}
		if j == i {
			return 0, fmt.Errorf("unexpected %q at byte %d", data[i], i)
		}
		return j, nil
	}
}

// stringEnd returns the index just past the string starting at data[i] (a '"').
func stringEnd(data []byte, i int) (int, error) {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, errors.New("unterminated JSON string")
}

// objectField returns the value of a top-level key of a JSON object (the last one, as
// decoders keep), scanned without decoding the values, for the same reason as splitArray.
// Other values must be valid JSON; found is false when the key is absent.
func objectField(data []byte, name string) (value []byte, found bool, err error) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, false, errors.New("not a JSON object")
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return nil, false, trailing(data, i+1)
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return nil, false, fmt.Errorf("expected a key at byte %d", i)
		}
		kend, err := stringEnd(data, i)
		if err != nil {
			return nil, false, err
		}
		var key string
		if err := json.Unmarshal(data[i:kend], &key); err != nil {
			return nil, false, fmt.Errorf("bad key at byte %d: %v", i, err)
		}
		i = skipSpace(data, kend)
		if i >= len(data) || data[i] != ':' {
			return nil, false, fmt.Errorf("expected ':' at byte %d", i)
		}
		i = skipSpace(data, i+1)
		vend, err := valueEnd(data, i)
		if err != nil {
			return nil, false, err
		}
		if key == name {
			value, found = data[i:vend], true
		} else if !json.Valid(data[i:vend]) {
			return nil, false, fmt.Errorf("invalid JSON value of %q", key)
		}
		i = skipSpace(data, vend)
		if i >= len(data) {
			return nil, false, errors.New("unterminated JSON object")
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return value, found, trailing(data, i+1)
		default:
			return nil, false, fmt.Errorf("unexpected %q at byte %d", data[i], i)
		}
	}
}
