package sections

import "github.com/mozilla-services/merino-go/curated/sampler"

// The interest picker's rules (interest_picker.py).
const (
	minVisible = 5
	minPicker  = 8
	pickerRank = 2
)

// interestPicker is create_interest_picker: the first five sections (and every followed one)
// stay visible; when at least eight hidden ones can be followed, the picker offers them, at
// rank 2 when something is followed and else at 1 or 2, and the sections are renumbered around
// it. With fewer, everything is visible and there is no picker.
func (b *Builder) interestPicker(s *sampler.Sampler) {
	res := &b.res
	secs := res.Sections // in rank order
	if !setVisibility(secs, minVisible, minPicker) {
		return
	}
	followed := false
	for i := range secs {
		followed = followed || secs[i].Followed
		if !secs[i].Visible && secs[i].Followable {
			res.Picker = append(res.Picker, i)
		}
	}
	res.HasPicker = true
	res.PickerRank = pickerRank
	if !followed {
		res.PickerRank = 1 + s.IntN(2)
	}
	renumberAround(secs, res.PickerRank)
}

// setVisibility is _set_section_initial_visibility: in rank order, a section is visible if it
// is followed or fewer than minVisible are so far; when fewer than minPicker hidden sections
// can be followed, all are made visible. It reports whether a picker is due.
func setVisibility(secs []Section, minVisible, minPicker int) bool {
	sortByRank(secs)
	visible, hidden := 0, 0
	for i := range secs {
		secs[i].Visible = secs[i].Followed || visible < minVisible
		if secs[i].Visible {
			visible++
		} else if secs[i].Followable {
			hidden++
		}
	}
	if hidden >= minPicker {
		return true
	}
	for i := range secs {
		secs[i].Visible = true
	}
	return false
}

// renumberAround renumbers the sections in rank order, skipping the picker's rank.
func renumberAround(secs []Section, skip int) {
	sortByRank(secs)
	rank := 0
	for i := range secs {
		if rank == skip {
			rank++
		}
		secs[i].Rank = rank
		rank++
	}
}
