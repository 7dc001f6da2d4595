// Package all links every provider type of this build into a program: importing it (for its
// side effects) registers each type with the provider kit. A new provider type is a package
// under suggest/ that registers itself (suggest/kit), plus one import line here.
package all

import (
	// Leaf providers.
	_ "github.com/mozilla-services/merino-go/suggest/adm"
	_ "github.com/mozilla-services/merino-go/suggest/amo"
	_ "github.com/mozilla-services/merino-go/suggest/geolocation"
	_ "github.com/mozilla-services/merino-go/suggest/toppicks"
	_ "github.com/mozilla-services/merino-go/suggest/weather"
	_ "github.com/mozilla-services/merino-go/suggest/wikipedia"

	// Rust Merino's combinators, caches and development types.
	_ "github.com/mozilla-services/merino-go/suggest/cache"
	_ "github.com/mozilla-services/merino-go/suggest/dev"
	_ "github.com/mozilla-services/merino-go/suggest/tree"
)
