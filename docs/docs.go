// Package docs embeds the documentation the web pages serve (GET
// /docs/exchange renders exchange.md).
package docs

import "embed"

// FS holds the documents the server serves.
//
//go:embed exchange.md
var FS embed.FS
