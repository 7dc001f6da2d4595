// Package sections builds New Tab's sections feed (merino-py's sections.py and
// interest_picker.py): the titled sections Firefox shows when a request asks for
// feeds: ["sections"].
//
// A Feed is one surface's GetSections response arranged once per corpus refresh: every slate
// (a section's stories, or its 50/50 alternate's) with its stories' ranking templates, and the
// dict of sections merino-py builds from the list (a repeated id keeps its first place and its
// last content). A Builder then answers each request without touching the feed: it draws the
// 50/50 slates, leaves out blocked topics and reported stories, ranks every story (Thompson
// sampling by default, or a Ranker of the ML tier), builds Popular Today with its topic,
// evergreen and publisher balancer, orders each section's stories by the global ranking, ranks
// the sections (Thompson sampling over their first stories, interests, follows, Popular Today
// and the daily briefing pinned), removes stories shown higher up, assigns layouts and ads, and
// sets up the interest picker. The Result names stories by their index in the feed, so the
// caller writes pre-rendered JSON; nothing here renders or logs.
//
// Every random draw goes through the request's sampler, so that sampler = "mean" and a seed
// pin whole responses in tests. The order of the passes, and their quirks (clicks subtracted
// twice in section scores, ads decided before the picker renumbers, serverScores kept on
// stories shown outside Popular Today), are merino-py's; the code names each where it occurs.
package sections
