package main

import (
	"bufio"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
)

// startCommand runs a serving command (serve or demo) in-process on a free
// port and returns its URL and a function giving everything it has printed
// so far. The server stops when the test ends, and the test checks that it
// shut down cleanly.
func startCommand(t testing.TB, name string, args ...string) (url string, output func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{name, "-addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	var (
		mu  sync.Mutex
		out strings.Builder
	)
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			mu.Lock()
			out.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if u, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				urls <- u
			}
		}
		close(urls)
	}()
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatalf("%s exited early: %v", name, err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s did not shut down cleanly: %v", name, err)
		}
	})
	return url, func() string {
		mu.Lock()
		defer mu.Unlock()
		return out.String()
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServe(t *testing.T) {
	url, _ := startCommand(t, "serve", "-db", filepath.Join(t.TempDir(), "serve.db"))
	for _, tc := range []struct {
		path, want string
	}{
		{"/healthz", `"ok"`},
		{"/readyz", `"ready"`},
		{"/api/v1/participants/POL", `"Poland"`},
		// serve wires the model's explanations into the API.
		{"/api/v1/participants/POL", `"explanation":{"code":"POL"`},
		{"/", "annual risk of facing a militarized dispute"},
		{"/log/checkpoint", "\n0\n"},
		{"/log/key", "+"},
		{"/metrics", "indivisible_log_size 0"},
		{"/", "<html"},
	} {
		if status, body := get(t, url+tc.path); status != 200 || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s: %d %q, want 200 containing %q", tc.path, status, body, tc.want)
		}
	}
}

// TestServeVersion checks that /healthz and the web pages' footer show the
// version 'indivisible version' prints, which serve hands to them from
// the build information.
func TestServeVersion(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), []string{"version"}, func(string) string { return "" }, strings.NewReader(""), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	want, ok := strings.CutPrefix(strings.TrimSuffix(out.String(), "\n"), "indivisible ")
	if !ok || want == "" || want != version() {
		t.Fatalf("indivisible version printed %q; version() is %q", out.String(), version())
	}
	url, _ := startCommand(t, "serve", "-db", filepath.Join(t.TempDir(), "serve.db"))
	_, body := get(t, url+"/healthz")
	var h struct{ Status, Version string }
	if err := json.Unmarshal([]byte(body), &h); err != nil || h.Status != "ok" || h.Version != want {
		t.Errorf("/healthz: %s (%v), want status ok and version %q", body, err, want)
	}
	for _, page := range []string{"/", "/log", "/no-such-page"} {
		if _, body := get(t, url+page); !strings.Contains(body, `<span id="version">`+html.EscapeString(want)+`</span>`) {
			t.Errorf("GET %s: the footer does not show the version %q", page, want)
		}
	}
}

// TestServeRestart checks that a second start reuses the database and the
// log created by the first.
func TestServeRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "restart.db")
	var first string
	t.Run("first", func(t *testing.T) {
		url, _ := startCommand(t, "serve", "-db", db)
		_, first = get(t, url+"/log/key")
	})
	t.Run("second", func(t *testing.T) {
		url, _ := startCommand(t, "serve", "-db", db)
		if _, second := get(t, url+"/log/key"); second != first {
			t.Errorf("log key changed across restarts: %q then %q", first, second)
		}
	})
}

// TestDemo checks that the demo serves a seeded service and prints working
// credentials.
func TestDemo(t *testing.T) {
	url, output := startCommand(t, "demo", "-dir", t.TempDir())
	_, body := get(t, url+"/api/v1/findings")
	var v struct {
		Findings []struct{ Rule string }
		LogSize  int `json:"log_size"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	rules := map[string]bool{}
	for _, f := range v.Findings {
		rules[f.Rule] = true
	}
	if !rules["late_notification"] || !rules["transfer_mirror_mismatch"] || v.LogSize < 10 {
		t.Fatalf("demo log: %d entries, findings %v", v.LogSize, rules)
	}
	token := demoToken(output(), "Delegation of Poland")
	req, _ := http.NewRequest("GET", url+"/api/v1/whoami", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"POL"`) {
		t.Fatalf("printed POL token does not work: %d %s", resp.StatusCode, b)
	}
}

// TestPublicURLFlag checks -public-url: the absolute http or https URL
// of a site's root is accepted, and any other value is a usage error
// naming the flag, before anything is opened.
func TestPublicURLFlag(t *testing.T) {
	for _, cmd := range []string{"serve", "demo"} {
		for _, good := range []string{"https://forum.example.org", "https://forum.example.org/", "http://localhost:8080", "HTTPS://Forum.example.org"} {
			// -h after the flag: it parses, then prints the usage.
			if err := run(context.Background(), []string{cmd, "-public-url", good, "-h"}, func(string) string { return "" }, strings.NewReader(""), io.Discard, io.Discard); err != nil {
				t.Errorf("%s -public-url %s: %v", cmd, good, err)
			}
		}
		for _, bad := range []string{"forum.example.org", "ftp://forum.example.org", "https://", "/forum", "https://forum.example.org/indivisible",
			"https://forum.example.org/?x=1", "https://user@forum.example.org", "https://forum.example.org/#top", "mailto:x@example.org"} {
			t.Run(cmd+" "+bad, func(t *testing.T) {
				dir := t.TempDir()
				var stderr strings.Builder
				args := []string{cmd, "-addr", "127.0.0.1:0", "-public-url", bad}
				if cmd == "serve" {
					args = append(args, "-db", filepath.Join(dir, "x.db"))
				} else {
					args = append(args, "-dir", dir)
				}
				err := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), io.Discard, &stderr)
				if msg := indivisible.ErrorMessage(err); exitCode(err) != 2 || !strings.Contains(msg, "invalid value") || !strings.Contains(msg, "-public-url") {
					t.Errorf("error %v (exit %d), want a usage error naming -public-url", err, exitCode(err))
				}
				if entries, _ := os.ReadDir(dir); len(entries) != 0 {
					t.Errorf("a refused flag left %d files in the directory", len(entries))
				}
			})
		}
	}
}

// TestPublicURL checks that behind a proxy that terminates TLS, named by
// an https -public-url, the session cookie is Secure although the request
// came in plain HTTP, and the log page names the public URL.
func TestPublicURL(t *testing.T) {
	url, output := startCommand(t, "demo", "-dir", t.TempDir(), "-public-url", "https://forum.example.org")
	if _, body := get(t, url+"/log"); !strings.Contains(body, "<code>https://forum.example.org/log/key</code>") {
		t.Errorf("the log page does not name the public URL:\n%.500s", body)
	}
	token := demoToken(output(), "Delegation of Poland")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(url+"/signin", neturl.Values{"token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var secure, found bool
	for _, c := range resp.Cookies() {
		if c.Name == "indivisible_session" {
			found, secure = true, c.Secure
		}
	}
	if resp.StatusCode != http.StatusSeeOther || !found || !secure {
		t.Errorf("sign-in: status %d, session cookie %v, Secure %v; want a Secure cookie", resp.StatusCode, found, secure)
	}
}

// demoToken finds the API token that demo printed for an account.
func demoToken(output, account string) string {
	for _, line := range strings.Split(output, "\n") {
		if strings.HasPrefix(line, account) {
			for _, f := range strings.Fields(line) {
				if strings.HasPrefix(f, "ind_") {
					return f
				}
			}
		}
	}
	return ""
}
