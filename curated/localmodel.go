package curated

import (
	"time"

	"github.com/mozilla-services/merino-go/curated/surface"
	"github.com/mozilla-services/merino-go/jsonw"
)

// The static local model (merino-py's SuperInferredModel): the interest model Firefox runs on
// the device, sent back as inferredLocalModel whenever a request carries inferredInterests.
const (
	modelP, modelQ           = 0.92, 0.0288
	smallModelP, smallModelQ = 0.9686, 0.0314
	disabledThreshold        = 1000.0
)

var (
	v3Topics        = []string{"sports", "arts", "government", "society-parenting", "food", "tech", "education-science"}
	smallTopics     = []string{"sports", "education-science"}
	smallExperiment = map[string]bool{"sports": true, "education-science": true, "government": true, "arts": true}
	laZone          = surface.MustLoadZone("America/Los_Angeles")
)

// appendLocalModel writes the InferredLocalModel for a surface: EN_CA gets the small-population
// model, EN_US with any experiment the "small experiment" variant, every other surface the
// v3 model. The time-zone feature's thresholds follow Los Angeles' current UTC offset.
func appendLocalModel(b []byte, id surface.ID, exp surface.Experiment, now time.Time) []byte {
	_, off := now.In(laZone).Zone()
	pacific := float64(((off/3600)%24+24)%24) + float64(off%3600)/3600
	topics, thresholds := v3Topics, v3Decoding.thresholds
	modelID, small, experiment := v3ModelID, false, false
	switch {
	case id == surface.EnCA:
		topics, thresholds, modelID, small = smallTopics, smallDecoding.thresholds, smallModelID, true
	case id == surface.EnUS && exp.Name != "":
		experiment = true
	}
	b = append(b, `{"model_id":`...)
	b = jsonw.AppendString(b, modelID)
	b = append(b, `,"model_version":0,"surface_id":`...)
	b = jsonw.AppendString(b, string(id))
	b = append(b, `,"model_data":{"model_type":"ctr","rescale":true,"ctr_prior_strength":500.0,"day_time_weighting":{"days":[90],"relative_weight":[1.0]},"interest_vector":{`...)
	for _, t := range topics {
		b = jsonw.AppendString(b, t)
		b = append(b, `:{"features":{`...)
		b = append(append(append(b, `"t_`...), t...), '"') // topic values need no escaping
		b = append(b, `:1.0},"thresholds":`...)
		if experiment && !smallExperiment[t] {
			b = appendFloats(b, disabledThreshold, disabledThreshold, disabledThreshold)
			b = append(b, `,"diff_p":1.0,"diff_q":0.0},`...)
			continue
		}
		b = appendFloats(b, thresholds...)
		b = append(b, `,"diff_p":`...)
		b = jsonw.AppendFloat(b, modelP)
		b = append(b, `,"diff_q":`...)
		b = jsonw.AppendFloat(b, modelQ)
		b = append(b, "},"...)
	}
	b = append(b, `"timeZoneOffset":{"features":{},"thresholds":`...)
	if small {
		b = appendFloats(b, pacific+2.1)
		b = append(b, `,"diff_p":`...)
		b = jsonw.AppendFloat(b, smallModelP)
		b = append(b, `,"diff_q":`...)
		b = jsonw.AppendFloat(b, smallModelQ)
	} else {
		b = appendFloats(b, pacific-2, pacific+1.1, pacific+2.1)
		b = append(b, `,"diff_p":`...)
		b = jsonw.AppendFloat(b, modelP)
		b = append(b, `,"diff_q":`...)
		b = jsonw.AppendFloat(b, modelQ)
	}
	b = append(b, `}},"noise_scale":0.0,"private_features":`...)
	b = append(b, '[')
	for _, t := range topics {
		b = jsonw.AppendString(b, t)
		b = append(b, ',')
	}
	b = append(b, `"timeZoneOffset"]`...)
	b = append(b, `},"privacy_overrides":`...)
	switch {
	case small:
		b = append(b, `{"iv_in_telemetry":null,"random_content_click_probability_epsilon_micro":null,"daily_click_event_cap":null,"local_popular_today_rerank":false}`...)
	case experiment:
		b = append(b, `{"iv_in_telemetry":false,"random_content_click_probability_epsilon_micro":14700000,"daily_click_event_cap":2,"local_popular_today_rerank":null}`...)
	default:
		b = append(b, "null"...)
	}
	return append(b, '}')
}

func appendFloats(b []byte, fs ...float64) []byte {
	b = append(b, '[')
	for i, f := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonw.AppendFloat(b, f)
	}
	return append(b, ']')
}
