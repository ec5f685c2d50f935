package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startServe runs "indivisible serve" in-process on a free port and returns
// its URL; the server stops when the test ends, and the test checks that it
// shut down cleanly.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				urls <- u
			}
		}
		close(urls)
	}()
	var url string
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatalf("serve exited early: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve did not shut down cleanly: %v", err)
		}
	})
	return url
}

func TestServe(t *testing.T) {
	db := filepath.Join(t.TempDir(), "serve.db")
	url := startServe(t, "-db", db)
	for _, tc := range []struct {
		path, want string
	}{
		{"/healthz", `"ok"`},
		{"/readyz", `"ready"`},
		{"/api/v1/participants/POL", `"Poland"`},
		{"/log/checkpoint", "\n0\n"},
		{"/log/key", "+"},
		{"/metrics", "indivisible_log_size 0"},
	} {
		resp, err := http.Get(url + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), tc.want) {
			t.Errorf("GET %s: %d %q, want 200 containing %q", tc.path, resp.StatusCode, b, tc.want)
		}
	}
}

// TestServeRestart checks that a second start reuses the database and the
// log created by the first.
func TestServeRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "restart.db")
	get := func(url string) string {
		resp, err := http.Get(url + "/log/key")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	var first string
	t.Run("first", func(t *testing.T) { first = get(startServe(t, "-db", db)) })
	time.Sleep(10 * time.Millisecond)
	t.Run("second", func(t *testing.T) {
		if second := get(startServe(t, "-db", db)); second != first {
			t.Errorf("log key changed across restarts: %q then %q", first, second)
		}
	})
}
