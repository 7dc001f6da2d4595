package surface

import "strings"

// Topic is a story's topic, merino-py's Topic enum; NoTopic is none (null).
type Topic uint8

// The topics, in merino-py's declaration order.
const (
	NoTopic Topic = iota
	Business
	Career
	Arts
	Food
	Health
	Home
	Finance
	Government
	Sports
	Tech
	Travel
	Education
	Hobbies
	SocietyParenting
	EducationScience
	Society
	numTopics
)

var topics = [numTopics]struct{ value, corpus string }{
	{},
	{"business", "BUSINESS"},
	{"career", "CAREER"},
	{"arts", "ENTERTAINMENT"},
	{"food", "FOOD"},
	{"health", "HEALTH_FITNESS"},
	{"home", "HOME"},
	{"finance", "PERSONAL_FINANCE"},
	{"government", "POLITICS"},
	{"sports", "SPORTS"},
	{"tech", "TECHNOLOGY"},
	{"travel", "TRAVEL"},
	{"education", "EDUCATION"},
	{"hobbies", "GAMING"},
	{"society-parenting", "PARENTING"},
	{"education-science", "SCIENCE"},
	{"society", "SELF_IMPROVEMENT"},
}

// String is the topic's value as the API writes it ("" for NoTopic).
func (t Topic) String() string { return topics[t].value }

// TopicOf returns the topic whose value is s (case-sensitive), or NoTopic.
func TopicOf(s string) Topic {
	for t := Topic(1); t < numTopics; t++ {
		if topics[t].value == s {
			return t
		}
	}
	return NoTopic
}

// CorpusTopic maps a curated-corpus topic (BUSINESS, ENTERTAINMENT, ...; any case) to its
// Topic, NoTopic for the others (merino-py's map_corpus_topic_to_serp_topic).
func CorpusTopic(s string) Topic {
	u := strings.ToUpper(s)
	for t := Topic(1); t < numTopics; t++ {
		if topics[t].corpus == u {
			return t
		}
	}
	return NoTopic
}

// IsLegacySection reports whether a section id is one of the topic values: the "legacy
// topic" sections the flat feed is made of.
func IsLegacySection(id string) bool { return TopicOf(id) != NoTopic }
