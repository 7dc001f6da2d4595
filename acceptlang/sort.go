package acceptlang

import "sort"

// pyMinRun is CPython's MAX_MINRUN: lists shorter than this are sorted by
// one count_run plus one binary insertion sort, with no merging.
const pyMinRun = 64

// sortDesc orders tags (and q in lockstep) by q descending, reproducing
// Python's `list.sort(key=..., reverse=True)` on float keys.
//
// For keys without NaN every stable sort gives the same order. NaN makes
// `<` inconsistent and the order then depends on the exact algorithm, so
// for lists shorter than 64 this follows CPython 3.13+'s listsort step by
// step (reverse, count_run, binarysort, reverse). merino-py runs on 3.14;
// 3.12 and older have a different count_run and can order NaN lists
// differently. Longer lists use sort.Stable, which matches CPython except
// when NaN is present.
func sortDesc(tags []string, q []float64) {
	n := len(tags)
	if n < 2 {
		return
	}
	// reverse=True is a reversal, a stable ascending sort and a reversal,
	// which is what keeps equal keys in their original order.
	reversePairs(tags, q, 0, n)
	if n < pyMinRun {
		run := countRun(tags, q)
		if run < n {
			binarySort(tags, q, run)
		}
	} else {
		// Sorting a copy keeps q (the caller's stack buffer) from escaping
		// through the sort.Interface; lists this long are rare.
		sort.Stable(pairs{tags, append([]float64(nil), q...)})
	}
	reversePairs(tags, q, 0, n)
}

type pairs struct {
	tags []string
	q    []float64
}

func (p pairs) Len() int           { return len(p.tags) }
func (p pairs) Less(i, j int) bool { return p.q[i] < p.q[j] }
func (p pairs) Swap(i, j int) {
	p.tags[i], p.tags[j] = p.tags[j], p.tags[i]
	p.q[i], p.q[j] = p.q[j], p.q[i]
}

func reversePairs(tags []string, q []float64, lo, hi int) {
	for hi--; lo < hi; lo, hi = lo+1, hi-1 {
		tags[lo], tags[hi] = tags[hi], tags[lo]
		q[lo], q[hi] = q[hi], q[lo]
	}
}

// countRun finds the natural run at the start of q, turning a descending
// run into an ascending one in place, and returns its length. It follows
// CPython 3.13's count_run: a non-descending prefix is a run unless it is
// all-equal and followed by a smaller key, in which case it joins a
// descending run; equal stretches inside a descending run are reversed so
// the final whole-run reversal keeps them in their original order.
func countRun(tags []string, q []float64) int {
	total := len(q)
	n := 1
	for n < total && !(q[n] < q[n-1]) {
		n++
	}
	if n == total {
		return n
	}
	// q[n] < q[n-1].
	if n > 1 {
		if q[0] < q[n-1] {
			return n
		}
		// The prefix is all equal: it starts the descending run.
		reversePairs(tags, q, 0, n)
	}
	n++
	neq := 0
	flushEqual := func() {
		if neq > 0 {
			reversePairs(tags, q, n-neq-1, n)
			neq = 0
		}
	}
	for ; n < total; n++ {
		if q[n] < q[n-1] {
			flushEqual()
		} else if q[n-1] < q[n] {
			break
		} else {
			neq++
		}
	}
	flushEqual()
	reversePairs(tags, q, 0, n)
	// The reversed run may continue with a naturally ascending suffix.
	for ; n < total; n++ {
		if q[n] < q[n-1] {
			break
		}
	}
	return n
}

// binarySort is CPython's binarysort: a stable binary insertion sort of q
// (and tags) whose first ok elements are already sorted, comparing only
// with `<` so that NaN lands where CPython puts it.
func binarySort(tags []string, q []float64, ok int) {
	if ok < 1 {
		ok = 1
	}
	for i := ok; i < len(q); i++ {
		pivotQ, pivotTag := q[i], tags[i]
		lo, hi := 0, i
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if pivotQ < q[m] {
				hi = m
			} else {
				lo = m + 1
			}
		}
		copy(q[lo+1:i+1], q[lo:i])
		copy(tags[lo+1:i+1], tags[lo:i])
		q[lo], tags[lo] = pivotQ, pivotTag
	}
}
