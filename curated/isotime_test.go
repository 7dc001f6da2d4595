package curated

import (
	"os/exec"
	"strings"
	"testing"
)

var isoCases = []string{
	"2025-03-17T12:00:00Z", "2025-03-17T12:00:00+02:00", "2025-03-17 12:00:00Z", "2025-03-17T12:00:00.991Z",
	"20250317T120000Z", "2025-03-17T12:00:00", "2025-03-17", "2025-03-17T12:00:00-05:30", "2025-03-17T12Z",
	"2025-03-17T12:00:00.1234567+00:00", "2025-03-17T24:00:00Z", "2025-W12-1T10:00Z", "2025W121", "2025-03-17T12:00:00,5Z",
	"March 17, 2025 12:00 PM", "invalid string", "2025-13-01T00:00:00Z", "2025-02-30", "2025-03-17T12:00:00+25:00",
	"2025-03-17T12:0Z", "2025-03-17T12:00:00Zx", "2025-03-1", "", "2025-03-17T12:00:00+0200", "2025-03-17T12:00:00+02",
	"2025-03-17X12:00:00Z", "2025-03-17T12:00:00.Z", "2025-03-17T1200Z", "2025-03-17T12:00:00+02:00:30",
}

// describeISO prints an outcome the way the Python script below does.
func describeISO(s string) string {
	t, zone, err := fromISOFormat(s)
	switch {
	case err != nil:
		return "error"
	case !zone:
		return "naive " + t.Format("2006-01-02T15:04:05.000000")
	}
	_, off := t.Zone()
	return t.Format("2006-01-02T15:04:05.000000") + " " + strings.TrimSpace(strings.Repeat(" ", 0)) + itoaSigned(off)
}

func itoaSigned(n int) string {
	if n < 0 {
		return "-" + itoaSigned(-n)
	}
	s := ""
	for {
		s = string(rune('0'+n%10)) + s
		n /= 10
		if n == 0 {
			return s
		}
	}
}

// TestFromISOFormatMatchesPython compares with the installed Python's datetime.fromisoformat
// (3.11+ reads the same extended forms as the 3.14 merino-py runs on).
func TestFromISOFormatMatchesPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	script := `
import sys, datetime
for s in sys.stdin.read().split("\n"):
    try:
        d = datetime.datetime.fromisoformat(s)
    except ValueError:
        print("error"); continue
    if d.tzinfo is None:
        print("naive " + d.strftime("%Y-%m-%dT%H:%M:%S.%f")); continue
    print(d.strftime("%Y-%m-%dT%H:%M:%S.%f") + " " + str(int(d.utcoffset().total_seconds())))
`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(strings.Join(isoCases, "\n"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if isoCases[i] == "2025-03-17T24:00:00Z" {
			// Python 3.13 added 24:00 (the next midnight); merino-py runs 3.14.
			if got := describeISO(isoCases[i]); got != "2025-03-18T00:00:00.000000 0" {
				t.Errorf("24:00: %q", got)
			}
			continue
		}
		if got := describeISO(isoCases[i]); got != want {
			t.Errorf("%q: got %q, python %q", isoCases[i], got, want)
		}
	}
}
