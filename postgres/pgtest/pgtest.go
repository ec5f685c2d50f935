// Package pgtest gives tests a fresh PostgreSQL database each. The server
// comes from $INDIVISIBLE_POSTGRES (a DSN of a role that may create
// databases), which scripts/test.sh sets after starting a throwaway
// cluster on loopback. Without it a test skips, except under CI=true,
// where a missing PostgreSQL is a failure.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Env is the environment variable holding the server's DSN.
const Env = "INDIVISIBLE_POSTGRES"

// Fresh creates an empty database for the test, dropped when it ends, and
// returns its DSN.
func Fresh(t testing.TB) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("$%s is not set: under CI the PostgreSQL tests must run (scripts/test.sh starts a server)", Env)
		}
		t.Skipf("$%s is not set: skipping the PostgreSQL tests (scripts/test.sh starts a throwaway server)", Env)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "indivisible_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
