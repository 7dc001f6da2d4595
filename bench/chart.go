package main

import (
	"fmt"
	"image/color"
	"math"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The chart has three panels, one above the other, so that a stall is seen at a glance:
// latency percentiles for each second of the run (log scale, by due time: a stall shows as a
// spike that decays as the queue drains), responses per second against the requested rate
// (a stall shows as a dip then a catch-up burst), and the latency histogram of the whole run
// (log-log: the tail is visible).

var (
	colP50 = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	colP90 = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}
	colP99 = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}
	colMax = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
	colReq = color.RGBA{R: 0x7f, G: 0x7f, B: 0x7f, A: 0xff}
)

// writeChart draws r into a PNG file.
func writeChart(r *report, path string) error {
	lat, err := latencyPlot(r)
	if err != nil {
		return err
	}
	thr, err := throughputPlot(r)
	if err != nil {
		return err
	}
	hist, err := histogramPlot(r)
	if err != nil {
		return err
	}
	const w, h = 12 * vg.Inch, 13 * vg.Inch
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(96), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 3, Cols: 1, PadTop: vg.Points(8), PadBottom: vg.Points(8), PadLeft: vg.Points(8), PadRight: vg.Points(16), PadY: vg.Points(18)}
	plots := [][]*plot.Plot{{lat}, {thr}, {hist}}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("cannot write chart: %w", err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("cannot write chart: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot write chart: %w", err)
	}
	return nil
}

func styled(p *plot.Plot) {
	p.Title.TextStyle.Font.Size = vg.Points(14)
	p.X.Label.TextStyle.Font.Size = vg.Points(11)
	p.Y.Label.TextStyle.Font.Size = vg.Points(11)
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Add(plotter.NewGrid())
}

// logTicks labels a log axis at 1-2-5 steps.
type logTicks struct{ unit string }

func (t logTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v < min || v > max {
				continue
			}
			out = append(out, plot.Tick{Value: v, Label: trimFloat(v) + t.unit})
		}
	}
	return out
}

func trimFloat(v float64) string {
	if v >= 1 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%g", v)
}

func latencyPlot(r *report) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s at %.0f req/s: latency from due time, per second (p50 %s, p99 %s, max %s)",
		r.Scenario, r.Rate, fmtMs(r.Latency.P50), fmtMs(r.Latency.P99), fmtMs(r.Latency.Max))
	p.X.Label.Text = "second of the measured run"
	p.Y.Label.Text = "latency (ms, log)"
	styled(p)
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{unit: ""}
	series := []struct {
		name string
		c    color.Color
		v    func(s secondReport) float64
	}{
		{"max", colMax, func(s secondReport) float64 { return s.Max }},
		{"p99", colP99, func(s secondReport) float64 { return s.P99 }},
		{"p90", colP90, func(s secondReport) float64 { return s.P90 }},
		{"p50", colP50, func(s secondReport) float64 { return s.P50 }},
	}
	lo, hi := math.Inf(1), 0.0
	for _, s := range series {
		var xy plotter.XYs
		for _, sec := range r.Seconds {
			if v := s.v(sec); v > 0 {
				xy = append(xy, plotter.XY{X: float64(sec.T), Y: v})
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		if len(xy) == 0 {
			continue
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("cannot plot: %w", err)
		}
		l.Color = s.c
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(s.name, l)
	}
	if hi == 0 {
		lo, hi = 0.01, 1
	}
	p.Y.Min, p.Y.Max = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi)))
	p.X.Min, p.X.Max = 0, math.Max(float64(len(r.Seconds)-1), 1)
	return p, nil
}

func throughputPlot(r *report) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("responses per second: achieved %.1f of %.0f requested", r.Achieved, r.Rate)
	p.X.Label.Text = "second of the measured run"
	p.Y.Label.Text = "responses/s"
	styled(p)
	var got, errs plotter.XYs
	peak := r.Rate
	for _, s := range r.Seconds {
		got = append(got, plotter.XY{X: float64(s.T), Y: float64(s.Answered)})
		errs = append(errs, plotter.XY{X: float64(s.T), Y: float64(s.Errors)})
		peak = math.Max(peak, float64(s.Answered))
	}
	want := plotter.XYs{{X: 0, Y: r.Rate}, {X: math.Max(float64(len(r.Seconds)-1), 1), Y: r.Rate}}
	lw, err := plotter.NewLine(want)
	if err != nil {
		return nil, fmt.Errorf("cannot plot: %w", err)
	}
	lw.Color, lw.Dashes, lw.Width = colReq, []vg.Length{vg.Points(6), vg.Points(4)}, vg.Points(1.5)
	p.Add(lw)
	p.Legend.Add("requested", lw)
	if len(got) > 0 {
		lg, err := plotter.NewLine(got)
		if err != nil {
			return nil, fmt.Errorf("cannot plot: %w", err)
		}
		lg.Color, lg.Width = colP50, vg.Points(1.5)
		p.Add(lg)
		p.Legend.Add("answered", lg)
		le, err := plotter.NewLine(errs)
		if err != nil {
			return nil, fmt.Errorf("cannot plot: %w", err)
		}
		le.Color, le.Width = colMax, vg.Points(1.5)
		p.Add(le)
		p.Legend.Add("errors (5xx, transport, bad body)", le)
	}
	p.Y.Min, p.Y.Max = 0, peak*1.15
	p.X.Min, p.X.Max = 0, math.Max(float64(len(r.Seconds)-1), 1)
	return p, nil
}

func histogramPlot(r *report) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("latency histogram, %d requests (p50 %s, p95 %s, p99 %s, p99.9 %s)",
		r.Requests, fmtMs(r.Latency.P50), fmtMs(r.Latency.P95), fmtMs(r.Latency.P99), fmtMs(r.Latency.P999))
	p.X.Label.Text = "latency (ms, log)"
	p.Y.Label.Text = "requests (log)"
	styled(p)
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = logTicks{}, logTicks{}
	if len(r.Histogram) == 0 {
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0.01, 1, 1, 10
		return p, nil
	}
	// A step line over the bucket edges: each bucket is a flat top from its lower to its
	// upper bound. Empty buckets sit on the floor (0.5) so that a log axis can draw them.
	const floor = 0.5
	lower := r.Histogram[0].UpTo / 1.2589254117941673
	xy := plotter.XYs{{X: lower, Y: floor}}
	var top float64
	for _, b := range r.Histogram {
		y := math.Max(float64(b.Count), floor)
		xy = append(xy, plotter.XY{X: b.UpTo, Y: y})
		top = math.Max(top, y)
	}
	xy = append(xy, plotter.XY{X: r.Histogram[len(r.Histogram)-1].UpTo * 1.2589254117941673, Y: floor})
	l, err := plotter.NewLine(xy)
	if err != nil {
		return nil, fmt.Errorf("cannot plot: %w", err)
	}
	l.StepStyle = plotter.PreStep
	l.Color = colP50
	l.FillColor = color.NRGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0x60}
	p.Add(l)
	for _, m := range []struct {
		name string
		v    float64
		c    color.Color
	}{{"p50", r.Latency.P50, colP50}, {"p99", r.Latency.P99, colP99}, {"max", r.Latency.Max, colMax}} {
		if m.v <= 0 {
			continue
		}
		ml, err := plotter.NewLine(plotter.XYs{{X: m.v, Y: floor}, {X: m.v, Y: top * 2}})
		if err != nil {
			return nil, fmt.Errorf("cannot plot: %w", err)
		}
		ml.Color, ml.Dashes, ml.Width = m.c, []vg.Length{vg.Points(4), vg.Points(3)}, vg.Points(1.2)
		p.Add(ml)
		p.Legend.Add(m.name, ml)
	}
	p.X.Min, p.X.Max = xy[0].X, xy[len(xy)-1].X
	p.Y.Min, p.Y.Max = floor, top*2
	return p, nil
}
