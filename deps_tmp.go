package indivisible

import (
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "gonum.org/v1/gonum/optimize/convex/lp"
	_ "gonum.org/v1/gonum/stat/distuv"
	_ "pgregory.net/rapid"
	_ "golang.org/x/mod/sumdb/tlog"
	_ "golang.org/x/mod/sumdb/note"
	_ "modernc.org/sqlite"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/pressly/goose/v3"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "golang.org/x/term"
)

