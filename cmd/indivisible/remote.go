package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/url"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api/openapiclient"
)

// The participant commands (declare, findings -server, forum, assess
// -server) are clients of a server's public API, as a delegation runs
// them from its own desk: they never open the database, and the server
// authorises every request by its bearer token through the same table as
// the web pages. Keys stay on the desk: whatever is signed is signed here.

// remoteFlags are -server and -token. Their defaults come from the
// environment after parsing, never as flag defaults, so that -h cannot
// print a token.
type remoteFlags struct{ server, token string }

// serverUsage is -server's usage for the commands that are only clients.
const serverUsage = "the service's `URL`, e.g. https://forum.example.org (default $INDIVISIBLE_SERVER)"

// remote defines -server, with its usage, and -token on fs.
func remote(fs *flag.FlagSet, usage string) *remoteFlags {
	f := &remoteFlags{}
	fs.StringVar(&f.server, "server", "", usage)
	fs.StringVar(&f.token, "token", "", "the account's API `TOKEN` (default $INDIVISIBLE_TOKEN; none: act as the public)")
	return f
}

// client is a server's API as the commands call it: the generated client
// (api/openapiclient, which a test keeps in step with docs/openapi.yaml)
// sending the token, whose answers reply decodes.
type client struct {
	api *openapiclient.Client
}

// dial checks the server's URL and makes its client.
func (f *remoteFlags) dial(e *env) (*client, error) {
	server, token := f.server, f.token
	if server == "" {
		server = e.getenv("INDIVISIBLE_SERVER")
	}
	if token == "" {
		token = e.getenv("INDIVISIBLE_TOKEN")
	}
	if server == "" {
		return nil, indivisible.Invalid("server", "-server URL (or $INDIVISIBLE_SERVER) is needed: the service this command is a client of")
	}
	u, err := url.Parse(server)
	switch {
	case err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
		return nil, indivisible.Invalid("server", "not the http or https URL of a service, such as https://forum.example.org")
	case u.User != nil:
		// Credentials go in -token, where they are never shown.
		return nil, indivisible.Invalid("server", "%s: a user or password in the URL is never sent; give the account's token with -token", u.Redacted())
	}
	auth := func(ctx context.Context, req *http.Request) error {
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return nil
	}
	c, err := openapiclient.NewClient(u.String(), openapiclient.WithRequestEditorFn(auth))
	if err != nil {
		return nil, indivisible.Invalid("server", "%v", err)
	}
	return &client{api: c}, nil
}

// maxReply bounds what a command reads of one answer: far more than the
// largest the API gives (a page of declarations), far less than memory.
const maxReply = 64 << 20

// reply reads an answer of the API into a T, or turns its error body
// ({"error": {"code", "message", "field"}}) back into the *indivisible.Error
// the server had, so that the command exits as it would have locally.
// An answer that is not the API's (a proxy's page, say) is an internal
// error naming the status.
func reply[T any](resp *http.Response, err error) (*T, error) {
	b, err := readReply(resp, err)
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, indivisible.Errorf(indivisible.EINTERNAL, "%s %s: the answer is not the JSON the API gives: %v", resp.Request.Method, resp.Request.URL.Path, err)
	}
	return v, nil
}

// readReply reads a successful answer's body, or returns its error.
func readReply(resp *http.Response, err error) ([]byte, error) {
	var ue *url.Error
	switch {
	case errors.As(err, &ue):
		// It names the method and URL, never the header and its token.
		return nil, indivisible.Errorf(indivisible.EINTERNAL, "%v", err)
	case err != nil:
		// The request could not be made: a flag JSON cannot carry
		// (-value NaN), say.
		return nil, indivisible.Invalid("flags", "cannot be sent to the server: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return nil, indivisible.Errorf(indivisible.EINTERNAL, "%s %s: %v", resp.Request.Method, resp.Request.URL.Path, err)
	}
	if resp.StatusCode < 300 {
		return b, nil
	}
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &body) != nil || body.Error.Code == "" {
		return nil, indivisible.Errorf(indivisible.EINTERNAL, "%s %s: the server answered %s", resp.Request.Method, resp.Request.URL.Path, resp.Status)
	}
	return nil, indivisible.FieldErrorf(body.Error.Code, body.Error.Field, "%s", body.Error.Message)
}

// jsonType is the content type of the bodies sent through the generated
// client's ...WithBody methods: bytes already in the API's format, such
// as a proposal file as its author wrote it.
const jsonType = "application/json"

// whoami is the account the token belongs to.
func (c *client) whoami(ctx context.Context) (*indivisible.Account, error) {
	return reply[indivisible.Account](c.api.Whoami(ctx))
}
