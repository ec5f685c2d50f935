package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// specPath is the API description that every response of these tests is
// checked against.
const specPath = "../docs/openapi.yaml"

// TestMain puts the spec check under the client that the tests' requests
// go through (f.do, http.Get, the generated client): a response that breaks
// docs/openapi.yaml turns into an error of the request, so the test that
// made it fails with the reason.
func TestMain(m *testing.M) {
	st, err := newSpecTransport(specPath, http.DefaultTransport)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	http.DefaultClient.Transport = st
	code := m.Run()
	// A whole run must have called every operation of the spec, so that
	// each one's answers were checked at least once.
	if missed := st.unchecked(); code == 0 && wholeRun() && len(missed) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: no test called these operations of %s, so their answers went unchecked: %s\n", specPath, strings.Join(missed, ", "))
		code = 1
	}
	os.Exit(code)
}

// wholeRun says whether every test of the package ran (no -run, -skip or
// -list).
func wholeRun() bool {
	for _, name := range []string{"test.run", "test.skip", "test.list"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return true
}

// specTransport validates each exchange against the spec: the response's
// status, content type, headers and body for the operation the request
// routes to, and, when the server accepted a request (2xx), the request
// itself, so that the spec never refuses what the server takes. A request
// that routes to no operation must get the API's JSON error (404, or 405
// with Allow) unless it is a web page outside /api.
type specTransport struct {
	base http.RoundTripper
	doc  *openapi3.T
	// mux routes like the server's own mux, so that the spec's paths
	// match requests exactly as the routes do ({path...} included).
	mux    *http.ServeMux
	routes map[string]*routers.Route // mux pattern -> operation

	mu     sync.Mutex
	called map[string]bool // operationIds checked at least once
}

// wildcards are the spec's paths whose last parameter takes the rest of
// the path, slashes included (OpenAPI has no notation for it).
var wildcards = map[string]string{"/log/tile/{path}": "/log/tile/{path...}"}

type captureKey struct{}

type capture struct {
	req *http.Request
}

func newSpecTransport(path string, base http.RoundTripper) (*specTransport, error) {
	doc, err := openapi3.NewLoader().LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", path, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("%s is not a valid OpenAPI document: %w", path, err)
	}
	openapi3filter.RegisterBodyDecoder("text/markdown", openapi3filter.PlainBodyDecoder)
	st := &specTransport{base: base, doc: doc, mux: http.NewServeMux(), routes: map[string]*routers.Route{}, called: map[string]bool{}}
	for p, item := range doc.Paths.Map() {
		muxPath := p
		if w, ok := wildcards[p]; ok {
			muxPath = w
		}
		for method, op := range item.Operations() {
			pattern := method + " " + muxPath
			st.routes[pattern] = &routers.Route{Spec: doc, Server: doc.Servers[0], Path: p, PathItem: item, Method: method, Operation: op}
			st.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
				r.Context().Value(captureKey{}).(*capture).req = r
			})
		}
	}
	return st, nil
}

// route finds the request's operation and path parameters, or says which
// status the server's mux gives a request no route takes.
func (st *specTransport) route(req *http.Request) (*routers.Route, map[string]string, int) {
	c := &capture{}
	rec := &statusRecorder{header: http.Header{}, status: http.StatusOK}
	st.mux.ServeHTTP(rec, req.WithContext(context.WithValue(req.Context(), captureKey{}, c)))
	if c.req == nil {
		return nil, nil, rec.status
	}
	rt := st.routes[c.req.Pattern]
	params := map[string]string{}
	for _, p := range rt.Operation.Parameters {
		if p.Value.In == openapi3.ParameterInPath {
			params[p.Value.Name] = c.req.PathValue(p.Value.Name)
		}
	}
	return rt, params, 0
}

type statusRecorder struct {
	header http.Header
	status int
}

func (r *statusRecorder) Header() http.Header         { return r.header }
func (r *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *statusRecorder) WriteHeader(status int)      { r.status = status }

func (st *specTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
	}
	send := req.Clone(req.Context())
	send.Body = io.NopCloser(bytes.NewReader(reqBody))
	resp, err := st.base.RoundTrip(send)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err := st.check(req, reqBody, resp, body); err != nil {
		return nil, fmt.Errorf("%s %s answered %d, which breaks %s: %w", req.Method, req.URL.RequestURI(), resp.StatusCode, specPath, err)
	}
	return resp, nil
}

// check validates one exchange.
func (st *specTransport) check(req *http.Request, reqBody []byte, resp *http.Response, body []byte) error {
	ctx := context.Background()
	rt, params, status := st.route(req)
	if rt == nil {
		return st.checkUnrouted(req, status, resp, body)
	}
	st.mu.Lock()
	st.called[rt.Operation.OperationID] = true
	st.mu.Unlock()

	vreq := req.Clone(ctx)
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	if len(reqBody) > 0 && vreq.Header.Get("Content-Type") == "" {
		// The server reads every body as JSON, whatever its Content-Type
		// says, and the tests send none.
		vreq.Header.Set("Content-Type", "application/json")
	}
	in := &openapi3filter.RequestValidationInput{
		Request: vreq, PathParams: params, Route: rt,
		Options: &openapi3filter.Options{MultiError: true, AuthenticationFunc: bearerPresent},
	}
	if resp.StatusCode/100 == 2 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			return fmt.Errorf("the server accepted a request that the spec refuses: %w", err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true},
	}
	out.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(ctx, out)
}

// checkUnrouted checks the answer to a request the spec has no operation
// for: a wrong method is a 405 in the error shape with Allow; an unknown
// path under /api a 404 in the error shape. Elsewhere the web handler may
// answer with its pages, which the spec does not describe; a JSON answer
// there must still be the error shape.
func (st *specTransport) checkUnrouted(req *http.Request, status int, resp *http.Response, body []byte) error {
	api := req.URL.Path == "/api" || strings.HasPrefix(req.URL.Path, "/api/")
	isJSON := strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json")
	switch {
	case status == http.StatusMethodNotAllowed:
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") == "" {
			return fmt.Errorf("the spec has no %s on %s: want a 405 with Allow", req.Method, req.URL.Path)
		}
	case api:
		if resp.StatusCode != http.StatusNotFound {
			return fmt.Errorf("the spec has no path %s: want a 404", req.URL.Path)
		}
	case !isJSON:
		return nil // a web page
	}
	if !isJSON {
		return fmt.Errorf("content type %q, want the JSON error", resp.Header.Get("Content-Type"))
	}
	return st.checkError(body)
}

// checkError validates body against the shared error schema.
func (st *specTransport) checkError(body []byte) error {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return err
	}
	return st.doc.Components.Schemas["Error"].Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors())
}

// bearerPresent checks the one security scheme as far as the spec can:
// an operation that requires a token was sent one.
func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecurityScheme.Type == "http" && strings.EqualFold(in.SecurityScheme.Scheme, "bearer") &&
		strings.HasPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
		return nil
	}
	return in.NewError(errors.New("no bearer token"))
}

// unchecked lists the spec's operations that no request reached.
func (st *specTransport) unchecked() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []string
	for _, rt := range st.routes {
		if !st.called[rt.Operation.OperationID] {
			out = append(out, rt.Operation.OperationID)
		}
	}
	slices.Sort(out)
	return out
}

// cannedTransport answers every request with one fixed response.
type cannedTransport struct {
	status int
	header http.Header
	body   string
}

func (c cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	h := c.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{StatusCode: c.status, Header: h, Body: io.NopCloser(strings.NewReader(c.body)), Request: req}, nil
}

// TestSpecTransportRefuses checks that the validation catches what it is
// there for: each of these answers breaks the spec and must fail the
// request that got it, while the well-formed ones pass.
func TestSpecTransportRefuses(t *testing.T) {
	jsonCT := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	htmlCT := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
	errBody := `{"error":{"code":"not_found","message":"no"}}`
	for _, tc := range []struct {
		name, method, path, body string
		auth                     bool
		resp                     cannedTransport
		ok                       bool
	}{
		{"a well-formed result", "GET", "/api/v1/forums/1/delphi", "", false,
			cannedTransport{200, jsonCT, `{"params":{},"distributions":{},"questions":[]}`}, true},
		{"null where the spec says object", "GET", "/api/v1/forums/1/delphi", "", false,
			cannedTransport{200, jsonCT, `{"params":{},"distributions":null,"questions":[]}`}, false},
		{"null where the spec says array", "GET", "/api/v1/forums", "", false,
			cannedTransport{200, jsonCT, `{"forums":null}`}, false},
		{"a missing required field", "GET", "/api/v1/keys", "", false,
			cannedTransport{200, jsonCT, `{}`}, false},
		{"an undocumented status", "GET", "/api/v1/participants", "", false,
			cannedTransport{418, jsonCT, errBody}, false},
		{"an undocumented content type", "GET", "/api/v1/participants", "", false,
			cannedTransport{200, htmlCT, `<html></html>`}, false},
		{"an error in another shape", "GET", "/api/v1/participants/XXX", "", false,
			cannedTransport{404, jsonCT, `{"message":"no"}`}, false},
		{"429 without Retry-After", "GET", "/api/v1/participants", "", false,
			cannedTransport{429, jsonCT, `{"error":{"code":"rate_limited","message":"slow down"}}`}, false},
		{"an unknown API path as a web page", "GET", "/api/v1/nothing", "", false,
			cannedTransport{404, htmlCT, `<html></html>`}, false},
		{"an unknown API path in the error shape", "GET", "/api/v1/nothing", "", false,
			cannedTransport{404, jsonCT, errBody}, true},
		{"a wrong method without Allow", "DELETE", "/api/v1/participants", "", false,
			cannedTransport{405, jsonCT, `{"error":{"code":"method_not_allowed","message":"no"}}`}, false},
		{"a web page", "GET", "/", "", false, cannedTransport{200, htmlCT, `<html></html>`}, true},
		{"a request accepted that the spec refuses", "POST", "/api/v1/forums", `{"title":"x","colour":"red"}`, true,
			cannedTransport{201, jsonCT, `{"id":1,"title":"x","created":"2026-01-01T00:00:00Z"}`}, false},
		{"an accepted request without the token the spec requires", "POST", "/api/v1/forums", `{"title":"x"}`, false,
			cannedTransport{201, jsonCT, `{"id":1,"title":"x","created":"2026-01-01T00:00:00Z"}`}, false},
		{"a refused request need not fit", "POST", "/api/v1/forums", `{"title":"x","colour":"red"}`, true,
			cannedTransport{400, jsonCT, `{"error":{"code":"invalid","message":"unknown field","field":"colour"}}`}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := newSpecTransport(specPath, tc.resp)
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(tc.method, "http://127.0.0.1"+tc.path, strings.NewReader(tc.body))
			if tc.auth {
				req.Header.Set("Authorization", "Bearer ind_x")
			}
			resp, err := (&http.Client{Transport: st}).Do(req)
			if err == nil {
				resp.Body.Close()
			}
			if (err == nil) != tc.ok {
				t.Errorf("error %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
