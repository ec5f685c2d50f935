package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
)

// fakeServer answers every request with status and body, and records the
// Authorization headers it was sent.
func fakeServer(t *testing.T, status int, contentType, body string) (url string, auth func() []string) {
	t.Helper()
	var (
		mu  sync.Mutex
		got []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

// TestRemoteErrors checks that a client command turns the server's answer
// back into the error it was: the code (and so the exit status), the
// field and the message of the API's error body; and that an answer that
// is not the API's is an internal error naming the status.
func TestRemoteErrors(t *testing.T) {
	for _, tc := range []struct {
		name        string
		status      int
		contentType string
		body        string
		wantCode    string
		wantExit    int
		wantMessage string
	}{
		{"invalid with field", 400, "application/json", `{"error":{"code":"invalid","message":"unknown participant \"XYZ\"","field":"participant"}}`,
			indivisible.EINVALID, 2, `participant: unknown participant "XYZ"`},
		{"forbidden", 403, "application/json", `{"error":{"code":"forbidden","message":"the delegation role may not manage_forum"}}`,
			indivisible.EFORBIDDEN, 3, "the delegation role may not manage_forum"},
		{"not found", 404, "application/json", `{"error":{"code":"not_found","message":"no forum 9","field":"forum"}}`,
			indivisible.ENOTFOUND, 4, "forum: no forum 9"},
		{"conflict", 409, "application/json", `{"error":{"code":"conflict","message":"item 1 is closed"}}`,
			indivisible.ECONFLICT, 5, "item 1 is closed"},
		{"rate limited", 429, "application/json", `{"error":{"code":"rate_limited","message":"slow down"}}`,
			indivisible.ERATELIMIT, 6, "slow down"},
		{"a proxy's page", 502, "text/html", `<html>Bad Gateway</html>`,
			indivisible.EINTERNAL, 1, "GET /api/v1/forums: the server answered 502 Bad Gateway"},
		{"a success that is not JSON", 200, "text/html", `<html>hello</html>`,
			indivisible.EINTERNAL, 1, "GET /api/v1/forums: the answer is not the JSON the API gives"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, _ := fakeServer(t, tc.status, tc.contentType, tc.body)
			var stdout, stderr strings.Builder
			err := run(context.Background(), []string{"forum", "list", "-server", url}, func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
			if indivisible.ErrorCode(err) != tc.wantCode || exitCode(err) != tc.wantExit || !strings.HasPrefix(indivisible.ErrorMessage(err), tc.wantMessage) {
				t.Errorf("err %v (code %q, exit %d), want code %q, exit %d, message starting %q",
					err, indivisible.ErrorCode(err), exitCode(err), tc.wantCode, tc.wantExit, tc.wantMessage)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing on an error", stdout.String())
			}
		})
	}
}

// TestRemoteToken checks where the token comes from (-token, else
// $INDIVISIBLE_TOKEN, else none), that it goes as a bearer token, and
// that neither usage nor errors ever print it.
func TestRemoteToken(t *testing.T) {
	const secret = "ind_sekret"
	for _, tc := range []struct {
		name     string
		args     []string
		env      map[string]string
		wantAuth string
	}{
		{"flag", []string{"-token", secret}, nil, "Bearer " + secret},
		{"environment", nil, map[string]string{"INDIVISIBLE_TOKEN": secret}, "Bearer " + secret},
		{"the flag before the environment", []string{"-token", secret}, map[string]string{"INDIVISIBLE_TOKEN": "ind_other"}, "Bearer " + secret},
		{"none: the public", nil, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, auth := fakeServer(t, 401, "application/json", `{"error":{"code":"unauthorized","message":"unknown or revoked token"}}`)
			getenv := func(k string) string { return tc.env[k] }
			var stdout, stderr strings.Builder
			args := append([]string{"forum", "create", "-server", url, "-title", "T"}, tc.args...)
			err := run(context.Background(), args, getenv, strings.NewReader(""), &stdout, &stderr)
			if got := auth(); len(got) != 1 || got[0] != tc.wantAuth {
				t.Errorf("the server got Authorization %q, want [%q]", got, tc.wantAuth)
			}
			if exitCode(err) != 3 {
				t.Errorf("err %v, want exit status 3 for the server's unauthorized", err)
			}
			for what, text := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String(), "the error": indivisible.ErrorMessage(err)} {
				if strings.Contains(text, secret) {
					t.Errorf("%s shows the token: %q", what, text)
				}
			}
		})
	}
	var stdout strings.Builder
	getenv := func(k string) string { return map[string]string{"INDIVISIBLE_TOKEN": secret}[k] }
	if err := run(context.Background(), []string{"forum", "list", "-h"}, getenv, strings.NewReader(""), &stdout, io.Discard); err != nil || strings.Contains(stdout.String(), secret) {
		t.Errorf("forum list -h: err %v, usage %q: want the usage, without the token", err, stdout.String())
	}
}

// TestRemoteServerFlag checks that a client command needs a server's
// http or https URL, from -server or $INDIVISIBLE_SERVER.
func TestRemoteServerFlag(t *testing.T) {
	url, _ := fakeServer(t, 200, "application/json", `{"forums":[{"id":7,"title":"Seventh"}]}`)
	for _, tc := range []struct {
		name      string
		args      []string
		env       string
		wantField string // "" for success
	}{
		{"flag", []string{"-server", url}, "", ""},
		{"environment", nil, url, ""},
		{"neither", nil, "", "server"},
		{"another scheme", []string{"-server", "ftp://example.org"}, "", "server"},
		{"no host", []string{"-server", "http://"}, "", "server"},
		{"a query", []string{"-server", url + "?x=1"}, "", "server"},
		{"a password", []string{"-server", "http://u:ind_sekret@example.org"}, "", "server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "INDIVISIBLE_SERVER" {
					return tc.env
				}
				return ""
			}
			var stdout strings.Builder
			err := run(context.Background(), append([]string{"forum", "list"}, tc.args...), getenv, strings.NewReader(""), &stdout, io.Discard)
			switch {
			case tc.wantField == "" && (err != nil || stdout.String() != "7\tSeventh\n"):
				t.Errorf("err %v, stdout %q; want the forum list", err, stdout.String())
			case tc.wantField != "" && (indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != tc.wantField):
				t.Errorf("err %v, want EINVALID naming %q", err, tc.wantField)
			case strings.Contains(indivisible.ErrorMessage(err), "ind_sekret"):
				t.Errorf("err %v shows the password", err)
			}
		})
	}
}
