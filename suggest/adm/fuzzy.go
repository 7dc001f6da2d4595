package adm

import "unicode/utf8"

// Reason is why merino-py's guardrails (adm/fuzzy.py) drop a fuzzy candidate.
type Reason uint8

// The guardrail outcomes; the names are merino-py's metric tags.
const (
	Keep Reason = iota
	// FirstCharSubstitution: the first character was replaced ("mountain" → "fountain").
	FirstCharSubstitution
	// ShortSubstitution: a substitution in a query shorter than min_substitution_len.
	ShortSubstitution
	// FirstCharInsert: the candidate is the query with a character prepended ("range" →
	// "orange").
	FirstCharInsert
	// FirstCharDelete: the query is the candidate with a character prepended.
	FirstCharDelete
	numReasons
)

// String returns merino-py's RejectionReason value.
func (r Reason) String() string {
	switch r {
	case FirstCharSubstitution:
		return "first_char_substitution"
	case ShortSubstitution:
		return "short_substitution"
	case FirstCharInsert:
		return "first_char_insert"
	case FirstCharDelete:
		return "first_char_delete"
	}
	return "keep"
}

// RejectionReason is merino-py's rejection_reason(query, candidate): it classifies the single
// edit between the query and the candidate's full keyword (in characters) and rejects risky
// ones. Like merino-py it assumes distance 1; other shapes are kept. It does not allocate.
func RejectionReason(query []byte, candidate string, minSubstitutionLen int) Reason {
	lq, lc := utf8.RuneCount(query), utf8.RuneCountInString(candidate)
	switch {
	case lq == lc:
		if isTranspose(query, candidate) {
			return Keep
		}
		// A substitution (merino-py also lands here for equal strings).
		if firstRune(query) != firstRuneString(candidate) {
			return FirstCharSubstitution
		}
		if lq < minSubstitutionLen {
			return ShortSubstitution
		}
	case lq+1 == lc:
		// candidate[1:] == query
		_, n := utf8.DecodeRuneInString(candidate)
		if candidate[n:] == string(query) {
			return FirstCharInsert
		}
	case lq == lc+1:
		_, n := utf8.DecodeRune(query)
		if string(query[n:]) == candidate {
			return FirstCharDelete
		}
	}
	return Keep
}

// isTranspose is edit_type's same-length test: swapping the first differing character of the
// query with the next one gives the candidate.
func isTranspose(q []byte, c string) bool {
	i, j := 0, 0
	for i < len(q) && j < len(c) {
		rq, nq := utf8.DecodeRune(q[i:])
		rc, nc := utf8.DecodeRuneInString(c[j:])
		if rq != rc {
			// query[:i] + query[i+1] + query[i] + query[i+2:] == candidate
			if i+nq >= len(q) {
				return false // no next character: swapping drops nothing in Python, ""+q[i]
			}
			rq2, nq2 := utf8.DecodeRune(q[i+nq:])
			if j+nc > len(c) {
				return false
			}
			rc2, nc2 := utf8.DecodeRuneInString(c[j+nc:])
			return rc == rq2 && rc2 == rq && string(q[i+nq+nq2:]) == c[j+nc+nc2:]
		}
		i += nq
		j += nc
	}
	return false
}

func firstRune(b []byte) rune {
	if len(b) == 0 {
		return -1
	}
	r, _ := utf8.DecodeRune(b)
	return r
}

func firstRuneString(s string) rune {
	if s == "" {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(s)
	return r
}
