package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"golang.org/x/text/language"

	"github.com/indivisible-eurasia/indivisible/i18n"
	"github.com/indivisible-eurasia/indivisible/ledger"
)

// TestBrowserLedgerLanguages checks that the entry page's verification,
// done by ledger.js in the browser, speaks the page's language: the
// status and the steps are the catalog's messages in that language with
// the script's values filled in. The leaf hash is computed here from the
// page's record, so the step's value is not the script's own word.
func TestBrowserLedgerLanguages(t *testing.T) {
	f := newExchangeFixture(t)
	ctx := browser(t)
	_, otherKey, err := ledger.NewKey(rand.Reader, "someone-else")
	if err != nil {
		t.Fatal(err)
	}
	// A verifier key is "name+hash+key".
	otherName, _, _ := strings.Cut(otherKey, "+")
	// serve serves the pages with key as the log's verifier key (the API
	// serves it next to the pages).
	serve := func(key string) *httptest.Server {
		mux := http.NewServeMux()
		mux.Handle("/", NewHandler(f.deps))
		mux.HandleFunc("GET /log/key", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, key+"\n") })
		ts := httptest.NewServer(mux)
		t.Cleanup(ts.Close)
		return ts
	}
	good, wrong := serve(f.log.Info().VerifierKey), serve(otherKey)
	size := f.size(t)
	const index = 1
	verified := func(l *i18n.Localizer) string {
		return l.T("ledger.verified", "index", fmt.Sprint(index), "size", fmt.Sprint(size), "key", f.log.Info().Origin)
	}
	for _, tc := range []struct {
		name string
		lang language.Tag
		ts   *httptest.Server
		// want renders the status the page must show in l; prefix is how
		// it begins, as a reader of the language expects it.
		want   func(l *i18n.Localizer) string
		prefix string
	}{
		{"ru", language.Russian, good, verified, fmt.Sprintf("Включение подтверждено: запись %d ", index)},
		{"zh-Hans", language.MustParse("zh-Hans"), good, verified, fmt.Sprintf("包含关系已验证：第%d号记录", index)},
		{"pseudo", i18n.Pseudo, good, verified, "⟦"},
		{"ru, another key", language.Russian, wrong, func(l *i18n.Localizer) string {
			return l.T("ledger.not_verified", "message", l.T("ledger.no_signature_by", "key", otherName))
		}, "Не подтверждено: на контрольной точке нет подписи " + otherName},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := bundle.Localizer(tc.lang)
			run(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/log/entry/%d?lang=%s", tc.ts.URL, index, tc.lang)),
				chromedp.Poll[chromedp.Void](`document.getElementById('verify-status').className !== 'verify-status'`))
			s := get[string](t, ctx, `document.getElementById('verify-status').textContent`)
			if want := tc.want(l); s != want || !strings.HasPrefix(s, tc.prefix) {
				t.Errorf("status %q, want %q (beginning %q)", s, want, tc.prefix)
			}
			var data struct{ Record string }
			if err := json.Unmarshal([]byte(get[string](t, ctx, `document.querySelector('.proof-data').textContent`)), &data); err != nil {
				t.Fatal(err)
			}
			record, err := base64.StdEncoding.DecodeString(data.Record)
			if err != nil {
				t.Fatal(err)
			}
			leaf := sha256.Sum256(append([]byte{0}, record...))
			steps := get[[]string](t, ctx, `Array.from(document.querySelectorAll('#verify-steps li'), li => li.textContent)`)
			if want := l.T("ledger.step.leaf", "hash", hex.EncodeToString(leaf[:])); len(steps) == 0 || steps[0] != want {
				t.Errorf("steps %q, want the first %q", steps, want)
			}
		})
	}
}
