package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

// runMonitor runs "indivisible monitor ARGS" and returns its standard
// output, standard error and error.
func runMonitor(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr strings.Builder
	err := run(context.Background(), append([]string{"monitor"}, args...), func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

// TestMonitorDemo follows the demo's log with -once: it catches up from
// empty, reports Armenia's declaration, positions and decisions, finds
// what the server finds, and on a second run reports nothing new.
func TestMonitorDemo(t *testing.T) {
	url, _ := startCommand(t, "demo", "-dir", t.TempDir())
	dir := filepath.Join(t.TempDir(), "copy")
	out, stderr, err := runMonitor(t, "-server", url, "-dir", dir, "-once", "-participant", "ARM")
	if err != nil {
		t.Fatalf("monitor -once: %v\n%s%s", err, out, stderr)
	}
	_, body := get(t, url+"/api/v1/findings")
	var v struct {
		Findings []indivisible.Finding `json:"findings"`
		LogSize  int                   `json:"log_size"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"consistent: every entry",
		"annual exchange of ARM",
		"position",
		"decision",
		"findings: " + itoa(int64(len(v.Findings))) + ",",
		itoa(int64(v.LogSize)) + " entries verified (" + itoa(int64(v.LogSize)) + " new)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runMonitor(t, "-server", url, "-dir", dir, "-once", "-participant", "ARM")
	if err != nil || !strings.Contains(out, "(0 new)") || !strings.Contains(out, "new entries about ARM: 0") {
		t.Errorf("second run: %v\n%s", err, out)
	}
}

// TestMonitorAlarm points one copy at another log: the changed log key is
// an alarm, with exit status 7 and the reason.
func TestMonitorAlarm(t *testing.T) {
	first, _ := startCommand(t, "demo", "-dir", t.TempDir())
	second, _ := startCommand(t, "demo", "-dir", t.TempDir())
	var target atomic.Pointer[neturl.URL]
	u, _ := neturl.Parse(first)
	target.Store(u)
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target.Load()) }})
	defer proxy.Close()
	dir := t.TempDir()
	if out, _, err := runMonitor(t, "-server", proxy.URL, "-dir", dir, "-once"); err != nil {
		t.Fatalf("first log: %v\n%s", err, out)
	}
	u, _ = neturl.Parse(second)
	target.Store(u)
	out, stderr, err := runMonitor(t, "-server", proxy.URL, "-dir", dir, "-once")
	if exitCode(err) != 7 || !strings.Contains(indivisible.ErrorMessage(err), "log_key") ||
		!strings.Contains(out, "ALARM (log_key)") || !strings.Contains(stderr, "ALARM") {
		t.Errorf("exit %d, err %v\nstdout:\n%s\nstderr:\n%s", exitCode(err), err, out, stderr)
	}
	// Bad flags are usage errors.
	if _, _, err := runMonitor(t, "-dir", dir, "-once"); exitCode(err) != 2 {
		t.Errorf("no -server: %v", err)
	}
}

// TestMonitorMetrics follows a log with -listen and reads /metrics.
func TestMonitorMetrics(t *testing.T) {
	url, _ := startCommand(t, "demo", "-dir", t.TempDir())
	dir := t.TempDir()
	murl := startMonitor(t, "-server", url, "-dir", dir, "-listen", "127.0.0.1:0", "-interval", "50ms")
	_, body := get(t, url+"/api/v1/findings")
	var v struct {
		LogSize int `json:"log_size"`
	}
	json.Unmarshal([]byte(body), &v)
	want := "indivisible_monitor_log_size " + itoa(int64(v.LogSize))
	for range 100 {
		if _, m := get(t, murl+"/metrics"); strings.Contains(m, want) {
			if !strings.Contains(m, "indivisible_monitor_alarm 0") {
				t.Errorf("metrics:\n%s", m)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("/metrics never showed %q", want)
}

// startMonitor runs the monitor following a log, with -listen, until the
// test ends.
func startMonitor(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"monitor"}, args...), func(string) string { return "" }, strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	buf := make([]byte, 4096)
	n, _ := pr.Read(buf)
	go io.Copy(io.Discard, pr)
	line := string(buf[:n])
	u, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if !ok {
		t.Fatalf("monitor printed %q", line)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("monitor did not stop cleanly: %v", err)
		}
	})
	return u
}
